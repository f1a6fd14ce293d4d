/**
 * Workflows that span the trainer's packages: what {@code train} does after training (the exports
 * and their records). The command line calls these and prints their results.
 */
package dev.catsdogs.trainer.workflow;
