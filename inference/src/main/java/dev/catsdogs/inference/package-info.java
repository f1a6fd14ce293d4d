package dev.catsdogs.inference;
