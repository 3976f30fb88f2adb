// edgebench_request.h over the TensorRT-LLM executor (tensorrt_llm/executor/executor.h).
//
// Two pins, chosen at build time with EBR_TRTLLM_API (native/shim/build.sh reads it from
// executor.h when not given):
//   12  v0.12.0-jetson (JetPack 6.1 on Orin): Request(ids, maxNewTokens, ...), SamplingConfig
//       setRandomSeed, Response getters return by value, no finish reasons, no perf metrics, an
//       Executor constructor taking useMMap.
//   1   1.x, checked for v1.2.1 (x86 CUDA): Request(ids, maxTokens, ...), setSeed, getters
//       return const&, Result::finishReasons, decodingIter, requestPerfMetrics (steady_clock
//       time points, the clock of ebr_now_ns).
// Only the any-request awaitResponses(timeout) is used: the per-id overloads wait forever
// for a request whose final response was already delivered. The plugins are registered once
// per process (initTrtLlmPlugins, declared here with its C signature so that no TensorRT
// header is needed). Responses that do not fit the caller's buffers wait in a queue here.
//
// Iteration statistics (ebr_iter_stats_json): {"backend":"trtllm","api":<pin>,"recent":[...]}
// where each entry is TensorRT-LLM's own JSON of one IterationStats
// (JsonSerialization::toJsonStr: iter, iterLatencyMS, numActiveRequests, gpuMemUsage,
// kvCacheStats, inflightBatchingStats, ...), for the iterations since the previous read (at
// most iter_stats_max_iterations, kept by the executor).
#include "edgebench_request.h"
#include "ebr_common.h"

#include "tensorrt_llm/executor/executor.h"

#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#ifndef EBR_TRTLLM_API
#error "define EBR_TRTLLM_API: 12 for v0.12.0-jetson, 1 for TensorRT-LLM 1.x (v1.2.1)"
#endif
#if EBR_TRTLLM_API != 12 && EBR_TRTLLM_API != 1
#error "EBR_TRTLLM_API must be 12 (v0.12.0-jetson) or 1 (1.x)"
#endif

// libnvinfer_plugin_tensorrt_llm.so; the same C signature at both pins (tllmPlugin.h).
extern "C" bool initTrtLlmPlugins(void *logger, char const *libNamespace);

namespace tle = tensorrt_llm::executor;

namespace {

struct PendingEvent {
    ebr_event ev;
    std::vector<int32_t> tokens;
};

struct LiveRequest {
    uint64_t tag;
};

std::once_flag g_plugins_once;
bool g_plugins_ok = false;

void set_err(char *err, int32_t cap, std::string const &msg) {
    ebr_common_copy_text(msg.data(), (int32_t) msg.size(), err, cap);
}

int64_t to_ns(std::chrono::steady_clock::time_point tp) {
    return (int64_t) std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count();
}

}  // namespace

struct ebr_engine {
    std::unique_ptr<tle::Executor> exec;
    int32_t return_perf = 1;
    std::mutex mu;  // everything below
    std::deque<PendingEvent> pending;
    std::unordered_map<tle::IdType, LiveRequest> live;
    std::unordered_map<int64_t, std::string> errors;
    std::string fatal;
    std::string stats_pending;
};

namespace {

// Turns one executor response into an event (with e->mu held).
void add_response(ebr_engine *e, tle::Response const &resp, int64_t recv_ns) {
    PendingEvent pe;
    std::memset(&pe.ev, 0, sizeof pe.ev);
    tle::IdType id = resp.getRequestId();
    pe.ev.req_id = (int64_t) id;
    pe.ev.recv_ns = recv_ns;
    auto it = e->live.find(id);
    if (it != e->live.end()) pe.ev.client_tag = it->second.tag;
    if (resp.hasError()) {
        std::string const &msg = resp.getErrorMsg();
        e->errors[(int64_t) id] = msg;
        pe.ev.is_final = 1;
        pe.ev.has_error = 1;
        pe.ev.finish_reason = EBR_FINISH_UNKNOWN;
    } else {
        tle::Result const &r = resp.getResult();
        if (!r.outputTokenIds.empty()) {
            tle::VecTokens const &beam0 = r.outputTokenIds[0];
            pe.tokens.assign(beam0.begin(), beam0.end());
        }
        pe.ev.is_final = r.isFinal ? 1 : 0;
#if EBR_TRTLLM_API == 1
        pe.ev.finish_reason = !r.isFinal ? EBR_FINISH_NOT_FINISHED
                              : r.finishReasons.empty() ? EBR_FINISH_UNKNOWN
                                                        : (int32_t) r.finishReasons[0];
        pe.ev.decoding_iter = r.decodingIter;
        if (r.requestPerfMetrics.has_value()) {
            auto const &t = r.requestPerfMetrics->timingMetrics;
            pe.ev.has_perf = 1;
            pe.ev.arrival_ns = to_ns(t.arrivalTime);
            pe.ev.first_sched_ns = to_ns(t.firstScheduledTime);
            pe.ev.first_tok_ns = to_ns(t.firstTokenTime);
            pe.ev.last_tok_ns = to_ns(t.lastTokenTime);
        }
#else
        // v0.12 results say neither why a request ended nor when its tokens were made
        pe.ev.finish_reason = r.isFinal ? EBR_FINISH_UNKNOWN : EBR_FINISH_NOT_FINISHED;
#endif
    }
    pe.ev.n_tok = (int32_t) pe.tokens.size();
    if (pe.ev.is_final) e->live.erase(id);
    e->pending.push_back(std::move(pe));
}

bool is_directory(char const *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int32_t create_impl(char const *path, ebr_config const *user, ebr_engine **out, char *err, int32_t cap) {
    if (out == nullptr) {
        set_err(err, cap, "ebr_create: out is NULL");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    *out = nullptr;
    if (path == nullptr || path[0] == '\0') {
        set_err(err, cap, "ebr_create: no engine directory");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_config cfg;
    ebr_common_config_defaults(&cfg);
    if (user != nullptr && ebr_common_read_sized(&cfg, user, sizeof cfg) != EBR_OK) {
        set_err(err, cap, "ebr_create: ebr_config.size " + std::to_string(user->size) + " is not between 4 and " + std::to_string(sizeof cfg));
        return EBR_ERR_STRUCT_SIZE;
    }
    if (!is_directory(path)) {
        set_err(err, cap, std::string("ebr_create: engine directory '") + path + "' does not exist or is not a directory");
        return EBR_ERR_LOAD;
    }
    std::string config_json = std::string(path) + "/config.json";
    struct stat st;
    if (stat(config_json.c_str(), &st) != 0) {
        set_err(err, cap, std::string("ebr_create: '") + path + "' is not a TensorRT-LLM engine directory (no config.json; build one with trtllm-build)");
        return EBR_ERR_LOAD;
    }
    if (cfg.kv_free_gpu_mem_fraction < 0.0f || cfg.kv_free_gpu_mem_fraction > 1.0f) {
        set_err(err, cap, "ebr_create: kv_free_gpu_mem_fraction " + std::to_string(cfg.kv_free_gpu_mem_fraction) + " is not in [0, 1]");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    if (cfg.scheduler_policy < 0 || cfg.scheduler_policy > 1) {
        set_err(err, cap, "ebr_create: scheduler_policy " + std::to_string(cfg.scheduler_policy) + " is not 0 (guaranteed no evict) or 1 (max utilization)");
        return EBR_ERR_INVALID_ARGUMENT;
    }

    std::call_once(g_plugins_once, [] { g_plugins_ok = initTrtLlmPlugins(nullptr, "tensorrt_llm"); });
    if (!g_plugins_ok) {
        set_err(err, cap, "ebr_create: initTrtLlmPlugins failed (libnvinfer_plugin_tensorrt_llm.so could not register its plugins)");
        return EBR_ERR_LOAD;
    }

    tle::KvCacheConfig kv;
    kv.setEnableBlockReuse(cfg.kv_enable_block_reuse != 0);  // defaults differ between the pins
    if (cfg.kv_max_tokens > 0) kv.setMaxTokens(cfg.kv_max_tokens);
    if (cfg.kv_free_gpu_mem_fraction > 0.0f) kv.setFreeGpuMemoryFraction(cfg.kv_free_gpu_mem_fraction);
    tle::SchedulerConfig sched(cfg.scheduler_policy == 1 ? tle::CapacitySchedulerPolicy::kMAX_UTILIZATION
                                                         : tle::CapacitySchedulerPolicy::kGUARANTEED_NO_EVICT);
    tle::ExecutorConfig ec(cfg.max_beam_width > 0 ? cfg.max_beam_width : 1, sched, kv);
    ec.setBatchingType(tle::BatchingType::kINFLIGHT);
    if (cfg.max_batch_size > 0) ec.setMaxBatchSize(cfg.max_batch_size);
    if (cfg.max_num_tokens > 0) ec.setMaxNumTokens(cfg.max_num_tokens);
    ec.setIterStatsMaxIterations(cfg.iter_stats_max_iterations > 0 ? cfg.iter_stats_max_iterations : 1000);
    if (cfg.max_queued > 0) ec.setMaxQueueSize(cfg.max_queued);

    std::unique_ptr<ebr_engine> e(new ebr_engine());
    e->return_perf = cfg.return_perf_metrics;
    try {
#if EBR_TRTLLM_API == 12
        if (cfg.use_mmap >= 0) {
            e->exec.reset(new tle::Executor(path, tle::ModelType::kDECODER_ONLY, ec, cfg.use_mmap != 0));
        } else {
            e->exec.reset(new tle::Executor(path, tle::ModelType::kDECODER_ONLY, ec));
        }
#else
        e->exec.reset(new tle::Executor(path, tle::ModelType::kDECODER_ONLY, ec));
#endif
    } catch (std::exception const &ex) {
        set_err(err, cap, std::string("ebr_create: TensorRT-LLM could not load the engine in '") + path + "' (built for another GPU or TensorRT-LLM version?): " + ex.what());
        return EBR_ERR_LOAD;
    }
    *out = e.release();
    return EBR_OK;
}

int64_t enqueue_impl(ebr_engine *h, ebr_request const *user, char *err, int32_t cap) {
    if (h == nullptr || user == nullptr) {
        set_err(err, cap, "ebr_enqueue: handle or request is NULL");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_request r;
    ebr_common_request_defaults(&r);
    if (ebr_common_read_sized(&r, user, sizeof r) != EBR_OK) {
        set_err(err, cap, "ebr_enqueue: ebr_request.size " + std::to_string(user->size) + " is not between 4 and " + std::to_string(sizeof r));
        return EBR_ERR_STRUCT_SIZE;
    }
    if (r.n_tokens < 1 || r.tokens == nullptr) {
        set_err(err, cap, "ebr_enqueue: the prompt is empty (n_tokens " + std::to_string(r.n_tokens) + ")");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    if (r.max_new_tokens < 1 || r.top_k < 0 || r.end_id < EBR_TOKEN_NONE || r.pad_id < EBR_TOKEN_NONE) {
        set_err(err, cap, "ebr_enqueue: max_new_tokens " + std::to_string(r.max_new_tokens) + " < 1, or a negative top_k, end_id or pad_id");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    tle::SamplingConfig sc(1);
    bool greedy = r.temperature <= 0.0f || r.top_k == 1;
    if (greedy) {
        sc.setTopK(1);
    } else {
        if (r.top_k > 0) sc.setTopK(r.top_k);
        if (r.top_p > 0.0f && r.top_p < 1.0f) sc.setTopP(r.top_p);
        sc.setTemperature(r.temperature);
    }
    if (r.has_seed) {
#if EBR_TRTLLM_API == 1
        sc.setSeed(r.seed);
#else
        sc.setRandomSeed(r.seed);
#endif
    }
    tle::OutputConfig oc;
    oc.excludeInputFromOutput = true;  // the tokens of an event are generated tokens only
#if EBR_TRTLLM_API == 1
    oc.returnPerfMetrics = h->return_perf != 0;
#endif
    tle::VecTokens ids(r.tokens, r.tokens + r.n_tokens);
    tle::Request req(std::move(ids), r.max_new_tokens, r.streaming != 0, sc, oc);
    if (r.end_id != EBR_TOKEN_NONE) req.setEndId(r.end_id);
    if (r.pad_id != EBR_TOKEN_NONE) req.setPadId(r.pad_id);
    // the lock spans enqueueRequest so that a response can never be seen before its tag is known
    std::lock_guard<std::mutex> lk(h->mu);
    if (!h->fatal.empty()) {
        set_err(err, cap, "ebr_enqueue: the engine has failed: " + h->fatal);
        return EBR_ERR_ENGINE;
    }
    tle::IdType id;
    try {
        id = h->exec->enqueueRequest(req);
    } catch (std::exception const &ex) {
        // the executor validates requests here (prompt longer than the engine's max input, ...)
        set_err(err, cap, std::string("ebr_enqueue: TensorRT-LLM refused the request (prompt of ") + std::to_string(r.n_tokens) +
                              " tokens, max_new_tokens " + std::to_string(r.max_new_tokens) + "): " + ex.what());
        return EBR_ERR_INVALID_ARGUMENT;
    }
    h->live[id] = LiveRequest{r.client_tag};
    return (int64_t) id;
}

int32_t poll_impl(ebr_engine *h, int32_t timeout_ms, ebr_event *events, int32_t ev_cap, int32_t *tokens, int32_t tok_cap,
                  int32_t *tokens_used) {
    bool need = false;
    {
        std::lock_guard<std::mutex> lk(h->mu);
        need = h->pending.empty() && h->fatal.empty();
    }
    if (need) {
        std::vector<tle::Response> got;
        try {
            got = h->exec->awaitResponses(std::chrono::milliseconds(timeout_ms));
        } catch (std::exception const &ex) {
            std::lock_guard<std::mutex> lk(h->mu);
            h->fatal = std::string("awaitResponses failed: ") + ex.what();
            return EBR_ERR_ENGINE;
        }
        int64_t recv = ebr_common_now_ns();
        std::lock_guard<std::mutex> lk(h->mu);
        for (tle::Response const &resp : got) add_response(h, resp, recv);
    }
    std::lock_guard<std::mutex> lk(h->mu);
    if (h->pending.empty()) return h->fatal.empty() ? 0 : EBR_ERR_ENGINE;
    int32_t n = 0, used = 0;
    while (n < ev_cap && !h->pending.empty()) {
        PendingEvent &pe = h->pending.front();
        int32_t k = (int32_t) pe.tokens.size();
        if (used + k > tok_cap) {
            if (n == 0) {
                *tokens_used = k;
                return EBR_ERR_BUFFER_TOO_SMALL;
            }
            break;
        }
        events[n] = pe.ev;
        events[n].tok_off = used;
        if (k > 0) std::memcpy(tokens + used, pe.tokens.data(), sizeof(int32_t) * (size_t) k);
        used += k;
        n++;
        h->pending.pop_front();
    }
    *tokens_used = used;
    return n;
}

}  // namespace

extern "C" {

EBR_API int32_t ebr_abi_version(void) noexcept { return EBR_ABI_VERSION; }

EBR_API uint64_t ebr_capabilities(void) noexcept {
#if EBR_TRTLLM_API == 1
    return EBR_CAP_FINISH_REASONS | EBR_CAP_PERF_METRICS | EBR_CAP_ITER_STATS | EBR_CAP_CANCEL | EBR_CAP_SEED |
           EBR_CAP_DECODING_ITER;
#else
    return EBR_CAP_ITER_STATS | EBR_CAP_CANCEL | EBR_CAP_SEED | EBR_CAP_MMAP;
#endif
}

EBR_API int32_t ebr_backend_version(char *buf, int32_t cap) noexcept {
    try {
        std::string v = std::string("TensorRT-LLM ") + tle::version() + " (executor API " + std::to_string(EBR_TRTLLM_API) + ")";
        return ebr_common_copy_text(v.data(), (int32_t) v.size(), buf, cap);
    } catch (...) {
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int32_t ebr_config_init(ebr_config *cfg) noexcept {
    if (cfg == nullptr) return EBR_ERR_INVALID_ARGUMENT;
    ebr_common_config_defaults(cfg);
    return EBR_OK;
}

EBR_API int32_t ebr_request_init(ebr_request *req) noexcept {
    if (req == nullptr) return EBR_ERR_INVALID_ARGUMENT;
    ebr_common_request_defaults(req);
    return EBR_OK;
}

EBR_API int32_t ebr_create(char const *path, ebr_config const *cfg, ebr_engine **out, char *err, int32_t cap) noexcept {
    try {
        return create_impl(path, cfg, out, err, cap);
    } catch (std::bad_alloc const &) {
        set_err(err, cap, "ebr_create: out of memory");
        return EBR_ERR_NO_MEMORY;
    } catch (std::exception const &ex) {
        set_err(err, cap, std::string("ebr_create: ") + ex.what());
        return EBR_ERR_INTERNAL;
    } catch (...) {
        set_err(err, cap, "ebr_create: unknown exception");
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int64_t ebr_enqueue(ebr_engine *h, ebr_request const *req, char *err, int32_t cap) noexcept {
    try {
        return enqueue_impl(h, req, err, cap);
    } catch (std::bad_alloc const &) {
        set_err(err, cap, "ebr_enqueue: out of memory");
        return EBR_ERR_NO_MEMORY;
    } catch (std::exception const &ex) {
        set_err(err, cap, std::string("ebr_enqueue: ") + ex.what());
        return EBR_ERR_INTERNAL;
    } catch (...) {
        set_err(err, cap, "ebr_enqueue: unknown exception");
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int32_t ebr_cancel(ebr_engine *h, int64_t req_id) noexcept {
    try {
        if (h == nullptr) return EBR_ERR_INVALID_ARGUMENT;
        {
            std::lock_guard<std::mutex> lk(h->mu);
            if (req_id <= 0 || h->live.count((tle::IdType) req_id) == 0) return EBR_ERR_NOT_FOUND;
        }
        h->exec->cancelRequest((tle::IdType) req_id);
        return EBR_OK;
    } catch (...) {
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int32_t ebr_poll(ebr_engine *h, int32_t timeout_ms, ebr_event *events, int32_t ev_cap, int32_t *tokens,
                         int32_t tok_cap, int32_t *tokens_used) noexcept {
    try {
        if (h == nullptr || events == nullptr || ev_cap < 1 || tok_cap < 0 || (tokens == nullptr && tok_cap > 0) ||
            tokens_used == nullptr || timeout_ms < 0) {
            return EBR_ERR_INVALID_ARGUMENT;
        }
        *tokens_used = 0;
        return poll_impl(h, timeout_ms, events, ev_cap, tokens, tok_cap, tokens_used);
    } catch (std::bad_alloc const &) {
        return EBR_ERR_NO_MEMORY;
    } catch (...) {
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int32_t ebr_error(ebr_engine *h, int64_t req_id, char *buf, int32_t cap) noexcept {
    try {
        if (h == nullptr) return EBR_ERR_INVALID_ARGUMENT;
        std::lock_guard<std::mutex> lk(h->mu);
        if (req_id == 0) return ebr_common_copy_text(h->fatal.data(), (int32_t) h->fatal.size(), buf, cap);
        auto it = h->errors.find(req_id);
        if (it == h->errors.end()) return EBR_ERR_NOT_FOUND;
        return ebr_common_copy_text(it->second.data(), (int32_t) it->second.size(), buf, cap);
    } catch (...) {
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int32_t ebr_iter_stats_json(ebr_engine *h, char *buf, int32_t cap) noexcept {
    try {
        if (h == nullptr) return EBR_ERR_INVALID_ARGUMENT;
        std::lock_guard<std::mutex> lk(h->mu);
        if (h->stats_pending.empty()) {
            std::deque<tle::IterationStats> stats = h->exec->getLatestIterationStats();
            std::string s = "{\"backend\":\"trtllm\",\"api\":" + std::to_string(EBR_TRTLLM_API) + ",\"recent\":[";
            bool first = true;
            for (tle::IterationStats const &it : stats) {
                if (!first) s += ',';
                first = false;
                s += tle::JsonSerialization::toJsonStr(it);
            }
            s += "]}";
            h->stats_pending = std::move(s);
        }
        int32_t len = ebr_common_copy_text(h->stats_pending.data(), (int32_t) h->stats_pending.size(), buf, cap);
        if (buf != nullptr && len < cap) h->stats_pending.clear();
        return len;
    } catch (...) {
        return EBR_ERR_INTERNAL;
    }
}

EBR_API int64_t ebr_now_ns(void) noexcept { return ebr_common_now_ns(); }

EBR_API int32_t ebr_destroy(ebr_engine **handle) noexcept {
    if (handle == nullptr || *handle == nullptr) return EBR_OK;
    ebr_engine *e = *handle;
    *handle = nullptr;
    int32_t rc = EBR_OK;
    try {
        e->exec->shutdown();
    } catch (...) {
        rc = EBR_ERR_ENGINE;
    }
    try {
        delete e;
    } catch (...) {
        rc = EBR_ERR_ENGINE;
    }
    return rc;
}

}  // extern "C"
