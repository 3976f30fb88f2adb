/* The ggml headers edgebench binds, as one translation unit for jextract (see ggml.args). */
#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "gguf.h"
