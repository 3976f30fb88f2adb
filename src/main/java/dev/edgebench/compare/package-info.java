/**
 * Reading result sets (run.json of either schema, JMH JSON), comparing them with bootstrap
 * intervals, baselines, and one printer per report format. Imports run, results and latency; never
 * the bindings, the engines, the kernels or JMH.
 */
package dev.edgebench.compare;
