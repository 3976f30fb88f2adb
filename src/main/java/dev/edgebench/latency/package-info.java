/**
 * Latency maths, engine-agnostic: token timelines, the per-token clock, order statistics. Imports
 * HdrHistogram and nothing of the engines, the bindings or JMH.
 */
package dev.edgebench.latency;
