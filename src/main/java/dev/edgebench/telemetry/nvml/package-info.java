/**
 * NVML through its jextract bindings (behind an interface, so tests replay recorded readings).
 * Imports the nvml bindings and telemetry.
 */
package dev.edgebench.telemetry.nvml;
