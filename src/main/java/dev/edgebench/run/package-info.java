/**
 * The run's backbone: the metric vocabulary, the workloads, presets, the validated run plan, the
 * run folder's layout and the run document (run.json) as records. Imports the model package (to
 * validate models) and Jackson; never the bindings, the engines or JMH.
 */
package dev.edgebench.run;
