/*
 * The log gate (ebr_log.h): which lines reach the sink, called directly and as llama.cpp's
 * callback. Built and run by native/shim/test.sh against libedgebench_request_llama.
 */
#include "ebr_log.h"

#include <llama.h>

#include <stdio.h>
#include <string.h>

static int seen;
static int last_level;
static char last_text[256];

static void sink(int32_t level, const char *text, void *user) {
    (void) user;
    seen++;
    last_level = level;
    snprintf(last_text, sizeof last_text, "%s", text ? text : "");
}

static int failures;

static void expect(int ok, const char *what) {
    if (!ok) {
        printf("FAIL log gate: %s (seen %d, last level %d, last text '%s')\n", what, seen, last_level, last_text);
        failures++;
    }
}

int main(void) {
    ebr_log_gate_config c = {(int64_t) sizeof c, sink, GGML_LOG_LEVEL_WARN, GGML_LOG_LEVEL_CONT};

    ebr_log_gate(GGML_LOG_LEVEL_DEBUG, "debug\n", &c);
    ebr_log_gate(GGML_LOG_LEVEL_INFO, "info\n", &c);
    expect(seen == 0, "lines below the level are dropped");
    ebr_log_gate(GGML_LOG_LEVEL_CONT, "continues info\n", &c);
    expect(seen == 0, "a continuation of a dropped line is dropped");
    ebr_log_gate(GGML_LOG_LEVEL_WARN, "warn", &c);
    expect(seen == 1 && last_level == GGML_LOG_LEVEL_WARN && strcmp(last_text, "warn") == 0, "a warning passes with its level and text");
    ebr_log_gate(GGML_LOG_LEVEL_CONT, " continued\n", &c);
    expect(seen == 2 && last_level == GGML_LOG_LEVEL_CONT, "a continuation of a kept line passes as a continuation");
    ebr_log_gate(GGML_LOG_LEVEL_ERROR, "error\n", &c);
    expect(seen == 3, "an error passes");

    ebr_log_gate(GGML_LOG_LEVEL_ERROR, "no config\n", NULL);
    ebr_log_gate_config wrong = c;
    wrong.size = 8;
    ebr_log_gate(GGML_LOG_LEVEL_ERROR, "wrong size\n", &wrong);
    ebr_log_gate_config nosink = c;
    nosink.sink = NULL;
    ebr_log_gate(GGML_LOG_LEVEL_ERROR, "no sink\n", &nosink);
    expect(seen == 3, "no config, a config of another size or no sink: nothing passes, nothing crashes");

    /* as llama.cpp's callback: its error for a missing file arrives, its debug and info lines do not */
    llama_log_set((ggml_log_callback) ebr_log_gate, &c);
    llama_backend_init();
    int before = seen;
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model *m = llama_model_load_from_file("/nonexistent/edgebench-log-gate.gguf", mp);
    expect(m == NULL, "no model from a missing file");
    expect(seen > before, "llama.cpp's error reached the sink");
    expect(last_level == GGML_LOG_LEVEL_ERROR || last_level == GGML_LOG_LEVEL_CONT || last_level == GGML_LOG_LEVEL_WARN,
           "only warnings and errors reached the sink");
    c.min_level = GGML_LOG_LEVEL_DEBUG;
    before = seen;
    m = llama_model_load_from_file("/nonexistent/edgebench-log-gate.gguf", mp);
    expect(m == NULL && seen > before, "with the level lowered, lines still arrive");
    llama_log_set(NULL, NULL);
    llama_backend_free();

    if (failures) {
        return 1;
    }
    printf("log gate: ok (%d lines passed, debug/info dropped, continuations follow their line)\n", seen);
    return 0;
}
