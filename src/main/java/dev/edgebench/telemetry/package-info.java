/**
 * Power, energy, clocks and temperature while a benchmark runs, the host description, and the
 * telemetry report files. The NVML sampler lives in the nvml sub-package; the report and throttle
 * reasons here need no native library.
 */
package dev.edgebench.telemetry;
