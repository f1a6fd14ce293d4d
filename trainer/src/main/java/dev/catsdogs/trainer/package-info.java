package dev.catsdogs.trainer;
