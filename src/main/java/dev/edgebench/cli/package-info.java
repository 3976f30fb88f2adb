/**
 * The picocli commands: each describes its options and calls the layer that does the work (run
 * plan, executor, compare, model forge). The only package that may import every other.
 */
package dev.edgebench.cli;
