// edgebench_request.h over llama.cpp (llama.h only): an in-flight batching scheduler.
//
// One scheduler thread per engine owns the llama_context. Each iteration it
//   1. admits queued requests into free slots (one slot = one llama sequence id, up to
//      n_seq_max), applies cancellations;
//   2. builds one batch: the last sampled token of every generating slot, then prompt tokens
//      of prefilling slots (in admission order) up to the physical batch (n_ubatch), never
//      more than the logical batch (n_batch);
//   3. runs one llama_decode over that batch and waits for it (llama_synchronize), so the
//      iteration's decode time is the device's;
//   4. samples one token for every slot that produced logits (generating slots, and slots
//      whose prompt ended in this batch): a greedy request takes the first highest logit
//      directly (what llama.cpp's greedy sampler picks, without filling its 128k-entry
//      candidate array per token), the others go through their llama_sampler chain; then
//      queues events for the poller, and frees the KV cells of every finished sequence
//      (llama_memory_seq_rm).
// Where greedy tokens are chosen: with every layer and the output on a GPU, each sequence gets a
// greedy sampler chain in the context (llama_context_params.samplers, llama.cpp's backend
// sampling, which llama-server offers per request as backend_sampling): the argmax runs in the
// model's graph on the GPU and only the token comes back (llama_get_sampled_token_ith), not the
// vocabulary's logits. A sequence whose request samples otherwise loses its device sampler for the
// engine's life (llama_set_sampler(..., NULL)) and is sampled on the host from then on. Elsewhere
// greedy tokens are chosen on the host (ebr_first_argmax). EBR_LLAMA_SAMPLING=host|device|auto
// (environment; default auto) overrides the choice, for A/B runs and for testing the device path on
// a CPU build. The iteration statistics say which ("sampling": "device" or "host").
// The context gets persistent CPU threadpools (llama_attach_threadpool), as llama-bench and
// llama-cli do: without them ggml starts and joins its CPU threads on every graph evaluation.
// This is the shape of llama-server's slot loop (update_slots), without HTTP, tokenizer or
// prompt cache: the caller gives token ids.
//
// Iteration statistics (ebr_iter_stats_json) keys:
//   backend, sampling ("device" or "host": where greedy tokens are chosen), deviceSampledTotal
//   (tokens chosen on the device), iterations, decodeNsTotal, sampleNsTotal, tokensTotal, promptTokensTotal,
//   generatedTokensTotal, activeRequests, queuedRequests, slots, nCtxSeq, dropped (recent
//   entries lost: more than 1024 iterations between two reads), recent: [{iter, active, tokens,
//   promptTokens, decodeTokens, decodeNs, sampleNs, endNs}] for the iterations since the
//   previous complete read. decodeNs: llama_decode and llama_synchronize; sampleNs: choosing
//   the iteration's tokens (not the event hand-off after it).
#include "edgebench_request.h"
#include "ebr_argmax.h"
#include "ebr_common.h"

#include "ggml-cpu.h"
#include "llama.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

constexpr size_t kRecentMax = 1024;

struct PendingRequest {
    int64_t id;
    ebr_request req;  // tokens pointer cleared: the prompt lives in `prompt`
    std::vector<llama_token> prompt;
    int64_t arrival_ns;
};

struct PendingEvent {
    ebr_event ev;
    std::vector<int32_t> tokens;
};

struct IterRecord {
    int64_t iter, active, tokens, prompt_tokens, decode_tokens, decode_ns, sample_ns, end_ns;
};

struct Slot {
    bool used = false;
    int32_t seq = 0;
    int64_t id = 0;
    ebr_request req{};
    std::vector<llama_token> prompt;
    int32_t n_prompt_done = 0;   // prompt tokens already in the KV cache
    int32_t n_past = 0;          // positions in the KV cache
    int32_t n_generated = 0;
    llama_token last = 0;        // last sampled token, fed in the next iteration
    int32_t i_batch = -1;        // index of this slot's logits in the current batch
    int32_t iterations = 0;
    int64_t arrival_ns = 0, first_sched_ns = 0, first_tok_ns = 0, last_tok_ns = 0;
    uint64_t admitted = 0;       // admission order, for fair prompt chunking
    llama_sampler *smpl = nullptr;
    bool greedy = false;         // argmax over the logits, no sampler chain
    llama_token next = 0;        // this iteration's sampled token and when it was chosen
    int64_t next_ns = 0;
    std::vector<int32_t> held;   // non-streaming: tokens held back until the final event
};

}  // namespace

struct ebr_engine {
    llama_model *model = nullptr;
    llama_context *ctx = nullptr;
    ggml_threadpool *threadpool = nullptr, *threadpool_batch = nullptr;
    const llama_vocab *vocab = nullptr;
    llama_batch batch{};
    bool batch_ready = false;
    int32_t n_batch = 0, n_ubatch = 0, n_seq_max = 0, n_ctx_seq = 0, n_vocab = 0, max_queued = 0;

    std::mutex mu;
    std::condition_variable work_cv;    // scheduler waits for requests
    std::condition_variable event_cv;   // poller waits for events
    bool stop = false;
    std::string fatal;                  // set when the engine failed as a whole
    std::deque<PendingRequest> queue;
    std::unordered_set<int64_t> live;   // accepted, final event not yet queued
    std::unordered_set<int64_t> cancels;
    std::deque<PendingEvent> events;
    std::unordered_map<int64_t, std::string> errors;
    int64_t next_id = 1;
    int32_t active = 0;

    // statistics (guarded by mu)
    int64_t iterations = 0, decode_ns_total = 0, sample_ns_total = 0, tokens_total = 0, prompt_tokens_total = 0,
            generated_total = 0, dropped = 0;
    std::deque<IterRecord> recent;
    std::string stats_pending;          // text of a read whose buffer was too small

    // greedy tokens chosen in the graph on the output device: one greedy chain per sequence, given to
    // the context at creation; on_device[seq] until a non-greedy request takes that sequence
    bool device_sampling = false;
    std::vector<llama_sampler *> device_chains;
    std::vector<uint8_t> on_device;
    int64_t device_sampled_total = 0;   // guarded by mu

    std::vector<Slot> slots;            // scheduler thread only
    uint64_t admissions = 0;
    std::thread worker;
};

namespace {

std::once_flag g_backend_once;

void set_err(char *err, int32_t cap, const std::string &msg) {
    ebr_common_copy_text(msg.data(), (int32_t) msg.size(), err, cap);
}

bool is_greedy(const ebr_request &r) { return r.temperature <= 0.0f || r.top_k == 1; }

llama_sampler *make_sampler(const ebr_request &r) {
    llama_sampler_chain_params sp = llama_sampler_chain_default_params();
    sp.no_perf = true;
    llama_sampler *chain = llama_sampler_chain_init(sp);
    if (chain == nullptr) return nullptr;
    if (is_greedy(r)) {
        llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    } else {
        if (r.top_k > 1) llama_sampler_chain_add(chain, llama_sampler_init_top_k(r.top_k));
        if (r.top_p > 0.0f && r.top_p < 1.0f) llama_sampler_chain_add(chain, llama_sampler_init_top_p(r.top_p, 1));
        llama_sampler_chain_add(chain, llama_sampler_init_temp(r.temperature));
        uint32_t seed = r.has_seed ? (uint32_t) (r.seed ^ (r.seed >> 32)) : LLAMA_DEFAULT_SEED;
        llama_sampler_chain_add(chain, llama_sampler_init_dist(seed));
    }
    return chain;
}

// --- called with e->mu held ---------------------------------------------------------------

void push_event(ebr_engine *e, const ebr_event &ev, const int32_t *toks, int32_t n) {
    PendingEvent pe;
    pe.ev = ev;
    if (n > 0) pe.tokens.assign(toks, toks + n);
    e->events.push_back(std::move(pe));
    if (ev.is_final) {
        e->live.erase(ev.req_id);
        // a cancel that raced with the request's own end must not stay behind: the idle
        // scheduler waits for "work or cancellations"
        e->cancels.erase(ev.req_id);
    }
}

ebr_event base_event(int64_t id, const ebr_request &r, int64_t now) {
    ebr_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.req_id = id;
    ev.client_tag = r.client_tag;
    ev.recv_ns = now;
    return ev;
}

void push_error(ebr_engine *e, int64_t id, const ebr_request &r, const std::string &msg) {
    ebr_event ev = base_event(id, r, ebr_common_now_ns());
    ev.is_final = 1;
    ev.has_error = 1;
    ev.finish_reason = EBR_FINISH_UNKNOWN;
    e->errors[id] = msg;
    push_event(e, ev, nullptr, 0);
}

// --- scheduler thread ----------------------------------------------------------------------

void release_slot(ebr_engine *e, Slot &s) {
    llama_memory_seq_rm(llama_get_memory(e->ctx), s.seq, -1, -1);
    if (s.smpl != nullptr) llama_sampler_free(s.smpl);
    s.smpl = nullptr;
    s.used = false;
    s.prompt.clear();
    s.held.clear();
    s.i_batch = -1;
}

ebr_event slot_event(const Slot &s, int64_t now) {
    ebr_event ev = base_event(s.id, s.req, now);
    ev.arrival_ns = s.arrival_ns;
    ev.first_sched_ns = s.first_sched_ns;
    ev.first_tok_ns = s.first_tok_ns;
    ev.last_tok_ns = s.last_tok_ns;
    ev.has_perf = 1;
    ev.decoding_iter = s.iterations;
    return ev;
}

// Finishes a slot with a final event (holding the non-streamed tokens) and frees its sequence.
void finish_slot(ebr_engine *e, Slot &s, int32_t reason, const int32_t *toks, int32_t n, int64_t now) {
    ebr_event ev = slot_event(s, now);
    ev.is_final = 1;
    ev.finish_reason = reason;
    {
        std::lock_guard<std::mutex> lk(e->mu);
        if (!s.req.streaming) {
            s.held.insert(s.held.end(), toks, toks + n);
            ev.n_tok = (int32_t) s.held.size();
            push_event(e, ev, s.held.data(), ev.n_tok);
        } else {
            ev.n_tok = n;
            push_event(e, ev, toks, n);
        }
        e->active--;
    }
    e->event_cv.notify_one();
    release_slot(e, s);
}

void fail_slot(ebr_engine *e, Slot &s, const std::string &msg) {
    {
        std::lock_guard<std::mutex> lk(e->mu);
        push_error(e, s.id, s.req, msg);
        e->active--;
    }
    e->event_cv.notify_one();
    release_slot(e, s);
}

// Moves queued requests into free slots and applies cancellations; false when stopping.
bool admit(ebr_engine *e) {
    std::unique_lock<std::mutex> lk(e->mu);
    for (;;) {
        if (e->stop) return false;
        // cancellations of queued requests: final events without tokens
        if (!e->cancels.empty()) {
            for (auto it = e->queue.begin(); it != e->queue.end();) {
                if (e->cancels.erase(it->id) > 0) {
                    ebr_event ev = base_event(it->id, it->req, ebr_common_now_ns());
                    ev.is_final = 1;
                    ev.finish_reason = EBR_FINISH_CANCELLED;
                    ev.arrival_ns = it->arrival_ns;
                    ev.has_perf = 1;
                    push_event(e, ev, nullptr, 0);
                    it = e->queue.erase(it);
                    e->event_cv.notify_one();
                } else {
                    ++it;
                }
            }
        }
        for (Slot &s : e->slots) {
            if (s.used || e->queue.empty()) continue;
            PendingRequest pr = std::move(e->queue.front());
            e->queue.pop_front();
            if ((int32_t) pr.prompt.size() > e->n_ctx_seq) {
                push_error(e, pr.id, pr.req,
                           "prompt of " + std::to_string(pr.prompt.size()) + " tokens does not fit the context of " +
                           std::to_string(e->n_ctx_seq) + " tokens per sequence (n_ctx / n_seq_max)");
                e->event_cv.notify_one();
                continue;
            }
            s.smpl = make_sampler(pr.req);
            s.greedy = is_greedy(pr.req);
            if (e->device_sampling && !s.greedy && e->on_device[(size_t) s.seq]) {
                // its logits must come back: the sequence is sampled on the host from now on (its chain
                // stays allocated until the engine is destroyed, after the context)
                llama_set_sampler(e->ctx, s.seq, nullptr);
                e->on_device[(size_t) s.seq] = 0;
            }
            if (s.smpl == nullptr) {
                push_error(e, pr.id, pr.req, "llama_sampler_chain_init failed");
                e->event_cv.notify_one();
                continue;
            }
            s.used = true;
            s.id = pr.id;
            s.req = pr.req;
            s.prompt = std::move(pr.prompt);
            s.n_prompt_done = 0;
            s.n_past = 0;
            s.n_generated = 0;
            s.iterations = 0;
            s.i_batch = -1;
            s.arrival_ns = pr.arrival_ns;
            s.first_sched_ns = ebr_common_now_ns();
            s.first_tok_ns = 0;
            s.last_tok_ns = 0;
            s.admitted = ++e->admissions;
            e->active++;
        }
        bool any = false;
        for (Slot &s : e->slots) any = any || s.used;
        if (any) return true;
        e->work_cv.wait(lk, [e] { return e->stop || !e->queue.empty() || !e->cancels.empty(); });
    }
}

void apply_slot_cancels(ebr_engine *e) {
    std::vector<Slot *> hit;
    {
        std::lock_guard<std::mutex> lk(e->mu);
        if (e->cancels.empty()) return;
        for (Slot &s : e->slots) {
            if (s.used && e->cancels.erase(s.id) > 0) hit.push_back(&s);
        }
    }
    int64_t now = ebr_common_now_ns();
    for (Slot *s : hit) finish_slot(e, *s, EBR_FINISH_CANCELLED, nullptr, 0, now);
}

void batch_add(llama_batch &b, llama_token tok, llama_pos pos, llama_seq_id seq, bool logits) {
    int32_t i = b.n_tokens++;
    b.token[i] = tok;
    b.pos[i] = pos;
    b.n_seq_id[i] = 1;
    b.seq_id[i][0] = seq;
    b.logits[i] = logits ? 1 : 0;
}

void record_iteration(ebr_engine *e, int64_t tokens, int64_t prompt_tokens, int64_t decode_tokens,
                      int64_t decode_ns, int64_t sample_ns, int64_t end_ns, int64_t active) {
    std::lock_guard<std::mutex> lk(e->mu);
    e->iterations++;
    e->decode_ns_total += decode_ns;
    e->sample_ns_total += sample_ns;
    e->tokens_total += tokens;
    e->prompt_tokens_total += prompt_tokens;
    if (e->recent.size() == kRecentMax) {
        e->recent.pop_front();
        e->dropped++;
    }
    e->recent.push_back(IterRecord{e->iterations, active, tokens, prompt_tokens, decode_tokens, decode_ns, sample_ns, end_ns});
}

void fail_all(ebr_engine *e, const std::string &msg) {
    for (Slot &s : e->slots) {
        if (s.used) fail_slot(e, s, msg);
    }
    std::lock_guard<std::mutex> lk(e->mu);
    for (PendingRequest &pr : e->queue) push_error(e, pr.id, pr.req, msg);
    e->queue.clear();
    e->fatal = msg;
    e->event_cv.notify_all();
}

// One scheduler iteration over the admitted slots; false when the engine failed as a whole.
bool iterate(ebr_engine *e) {
    llama_batch &b = e->batch;
    b.n_tokens = 0;
    int32_t n_decode = 0;
    for (Slot &s : e->slots) {
        s.i_batch = -1;
        if (s.used && s.n_prompt_done == (int32_t) s.prompt.size()) {
            s.i_batch = b.n_tokens;
            batch_add(b, s.last, s.n_past, s.seq, true);
            n_decode++;
        }
    }
    // prompt chunks: oldest admission first, within the physical batch (at least one token so
    // prompts progress even when decode tokens fill it), never past the logical batch
    int32_t budget = std::min(std::max(e->n_ubatch - n_decode, 1), e->n_batch - n_decode);
    std::vector<Slot *> prefill;
    for (Slot &s : e->slots) {
        if (s.used && s.n_prompt_done < (int32_t) s.prompt.size()) prefill.push_back(&s);
    }
    std::sort(prefill.begin(), prefill.end(), [](const Slot *a, const Slot *c) { return a->admitted < c->admitted; });
    int32_t n_prompt = 0;
    std::vector<int32_t> took(prefill.size(), 0);
    for (size_t p = 0; p < prefill.size(); p++) {
        Slot *s = prefill[p];
        if (budget <= 0) break;
        int32_t left = (int32_t) s->prompt.size() - s->n_prompt_done;
        int32_t take = std::min(left, budget);
        for (int32_t k = 0; k < take; k++) {
            bool last = s->n_prompt_done + k + 1 == (int32_t) s->prompt.size();
            if (last) s->i_batch = b.n_tokens;
            batch_add(b, s->prompt[s->n_prompt_done + k], s->n_past + k, s->seq, last);
        }
        s->n_prompt_done += take;
        s->n_past += take;
        took[p] = take;
        budget -= take;
        n_prompt += take;
    }
    if (b.n_tokens == 0) return true;

    int64_t t0 = ebr_common_now_ns();
    int32_t rc = llama_decode(e->ctx, b);
    if (rc == 0) llama_synchronize(e->ctx);
    int64_t t1 = ebr_common_now_ns();
    if (rc == 1) {
        // no KV cells for this batch; llama_decode removed what it had stored of it, so every
        // slot goes back to where it was, and the newest admission gives way with an error
        Slot *victim = nullptr;
        for (size_t i = 0; i < prefill.size(); i++) {
            prefill[i]->n_prompt_done -= took[i];
            prefill[i]->n_past -= took[i];
        }
        for (Slot &s : e->slots) {
            if (s.used && (victim == nullptr || s.admitted > victim->admitted)) victim = &s;
        }
        if (victim != nullptr) {
            fail_slot(e, *victim, "the KV cache is full (llama_decode returned 1 for a batch of " +
                                  std::to_string(b.n_tokens) + " tokens); raise n_ctx or lower n_seq_max");
        }
        return true;
    }
    if (rc != 0) {
        fail_all(e, "llama_decode failed with " + std::to_string(rc) + " on a batch of " + std::to_string(b.n_tokens) + " tokens");
        return false;
    }

    for (size_t p = 0; p < prefill.size(); p++) {
        if (took[p] > 0) prefill[p]->iterations++;
    }
    for (Slot &s : e->slots) {
        if (s.used && s.n_generated > 0 && s.i_batch >= 0) s.iterations++;
    }
    // this iteration's tokens, then its statistics, then its events: a reader that sees an
    // iteration's events also sees the iteration
    int64_t n_device = 0;
    for (Slot &s : e->slots) {
        if (!s.used || s.i_batch < 0) continue;
        if (s.greedy && e->device_sampling && e->on_device[(size_t) s.seq]) {
            llama_token tok = llama_get_sampled_token_ith(e->ctx, s.i_batch);
            if (tok == LLAMA_TOKEN_NULL) {
                fail_all(e, "llama_get_sampled_token_ith returned no token for batch index " + std::to_string(s.i_batch) +
                            " (device sampling; EBR_LLAMA_SAMPLING=host chooses tokens on the host)");
                return false;
            }
            s.next = tok;
            n_device++;
        } else if (s.greedy) {
            const float *logits = llama_get_logits_ith(e->ctx, s.i_batch);
            if (logits == nullptr) {
                fail_all(e, "llama_get_logits_ith returned no logits for batch index " + std::to_string(s.i_batch));
                return false;
            }
            s.next = ebr_first_argmax(logits, e->n_vocab);
        } else {
            s.next = llama_sampler_sample(s.smpl, e->ctx, s.i_batch);
        }
        s.next_ns = ebr_common_now_ns();  // the token exists once it is chosen
    }
    int64_t t2 = ebr_common_now_ns();
    int32_t active_now = 0, n_sampled = 0;
    for (Slot &s : e->slots) {
        active_now += s.used ? 1 : 0;
        n_sampled += s.used && s.i_batch >= 0 ? 1 : 0;
    }
    {
        std::lock_guard<std::mutex> lk(e->mu);
        e->generated_total += n_sampled;
        e->device_sampled_total += n_device;
    }
    record_iteration(e, b.n_tokens, n_prompt, n_decode, t1 - t0, t2 - t1, t1, active_now);
    for (Slot &s : e->slots) {
        if (!s.used || s.i_batch < 0) continue;
        if (s.n_generated > 0) s.n_past++;  // the fed token is now in the cache
        llama_token tok = s.next;
        int64_t now = s.next_ns;
        s.n_generated++;
        s.last = tok;
        if (s.first_tok_ns == 0) s.first_tok_ns = now;
        s.last_tok_ns = now;
        int32_t t = tok;
        int32_t reason = EBR_FINISH_NOT_FINISHED;
        if (s.req.end_id != EBR_TOKEN_NONE && tok == s.req.end_id) {
            reason = EBR_FINISH_END_ID;
        } else if (s.n_generated >= s.req.max_new_tokens || s.n_past >= e->n_ctx_seq) {
            reason = EBR_FINISH_LENGTH;
        }
        if (reason != EBR_FINISH_NOT_FINISHED) {
            finish_slot(e, s, reason, &t, 1, now);
        } else if (s.req.streaming) {
            ebr_event ev = slot_event(s, now);
            ev.n_tok = 1;
            {
                std::lock_guard<std::mutex> lk(e->mu);
                push_event(e, ev, &t, 1);
            }
            e->event_cv.notify_one();
        } else {
            s.held.push_back(t);
        }
    }
    return true;
}

void run(ebr_engine *e) {
    try {
        while (admit(e)) {
            apply_slot_cancels(e);
            if (!iterate(e)) return;
        }
    } catch (const std::exception &ex) {
        fail_all(e, std::string("scheduler stopped: ") + ex.what());
    } catch (...) {
        fail_all(e, "scheduler stopped: unknown exception");
    }
}

void free_engine(ebr_engine *e) {
    if (e->worker.joinable()) {
        {
            std::lock_guard<std::mutex> lk(e->mu);
            e->stop = true;
        }
        e->work_cv.notify_all();
        e->worker.join();
    }
    for (Slot &s : e->slots) {
        if (s.smpl != nullptr) llama_sampler_free(s.smpl);
        s.smpl = nullptr;
    }
    if (e->batch_ready) llama_batch_free(e->batch);
    if (e->ctx != nullptr) llama_free(e->ctx);
    for (llama_sampler *c : e->device_chains) llama_sampler_free(c);
    e->device_chains.clear();
    if (e->threadpool_batch != nullptr) ggml_threadpool_free(e->threadpool_batch);
    if (e->threadpool != nullptr) ggml_threadpool_free(e->threadpool);
    if (e->model != nullptr) llama_model_free(e->model);
    delete e;
}

int32_t create_impl(const char *path, const ebr_config *user, ebr_engine **out, char *err, int32_t cap) {
    if (out == nullptr) {
        set_err(err, cap, "ebr_create: out is NULL");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    *out = nullptr;
    if (path == nullptr || path[0] == '\0') {
        set_err(err, cap, "ebr_create: no model path (a GGUF file)");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    ebr_config cfg;
    ebr_common_config_defaults(&cfg);
    if (user != nullptr && ebr_common_read_sized(&cfg, user, sizeof cfg) != EBR_OK) {
        set_err(err, cap, "ebr_create: ebr_config.size " + std::to_string(user->size) + " is not between 4 and " + std::to_string(sizeof cfg));
        return EBR_ERR_STRUCT_SIZE;
    }
    int32_t n_seq = cfg.n_seq_max > 0 ? cfg.n_seq_max : 1;
    int32_t n_batch = cfg.n_batch > 0 ? cfg.n_batch : 2048;
    int32_t n_ubatch = cfg.n_ubatch > 0 ? cfg.n_ubatch : 512;
    std::string bad;
    if (cfg.n_ctx < 0) bad = "n_ctx " + std::to_string(cfg.n_ctx) + " is negative";
    else if (n_seq > 256) bad = "n_seq_max " + std::to_string(n_seq) + " is above 256";
    else if (n_batch < n_seq) bad = "n_batch " + std::to_string(n_batch) + " is below n_seq_max " + std::to_string(n_seq) + " (every running request needs a place in each batch)";
    else if (n_ubatch > n_batch) bad = "n_ubatch " + std::to_string(n_ubatch) + " is above n_batch " + std::to_string(n_batch);
    else if (cfg.n_threads < 0 || cfg.n_threads_batch < 0) bad = "n_threads/n_threads_batch must be >= 0";
    else if (cfg.flash_attn < -1 || cfg.flash_attn > 1) bad = "flash_attn " + std::to_string(cfg.flash_attn) + " is not -1, 0 or 1";
    else if (cfg.max_queued < 0) bad = "max_queued is negative";
    if (!bad.empty()) {
        set_err(err, cap, "ebr_create: " + bad);
        return EBR_ERR_INVALID_ARGUMENT;
    }
    FILE *f = std::fopen(path, "rb");
    if (f == nullptr) {
        set_err(err, cap, std::string("ebr_create: cannot open model file '") + path + "': " + std::strerror(errno));
        return EBR_ERR_LOAD;
    }
    std::fclose(f);

    std::call_once(g_backend_once, [] { llama_backend_init(); });
    std::unique_ptr<ebr_engine, void (*)(ebr_engine *)> e(new ebr_engine(), free_engine);

    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = cfg.n_gpu_layers;
    if (cfg.use_mmap >= 0) mp.load_mode = cfg.use_mmap != 0 ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
    e->model = llama_model_load_from_file(path, mp);
    if (e->model == nullptr) {
        set_err(err, cap, std::string("ebr_create: llama_model_load_from_file could not load '") + path + "' (not a GGUF model, or an unsupported architecture; the engine log says more)");
        return EBR_ERR_LOAD;
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) cfg.n_ctx;
    cp.n_batch = (uint32_t) n_batch;
    cp.n_ubatch = (uint32_t) n_ubatch;
    cp.n_seq_max = (uint32_t) n_seq;
    if (cfg.n_threads > 0) cp.n_threads = cfg.n_threads;
    cp.n_threads_batch = cfg.n_threads_batch > 0 ? cfg.n_threads_batch : cp.n_threads;
    cp.flash_attn_type = cfg.flash_attn < 0 ? LLAMA_FLASH_ATTN_TYPE_AUTO
                         : cfg.flash_attn == 0 ? LLAMA_FLASH_ATTN_TYPE_DISABLED : LLAMA_FLASH_ATTN_TYPE_ENABLED;
    if (cfg.type_k >= 0) cp.type_k = (ggml_type) cfg.type_k;
    if (cfg.type_v >= 0) cp.type_v = (ggml_type) cfg.type_v;
    if (cfg.kv_unified >= 0) cp.kv_unified = cfg.kv_unified != 0;
    cp.no_perf = true;
    std::string sampling = std::getenv("EBR_LLAMA_SAMPLING") != nullptr ? std::getenv("EBR_LLAMA_SAMPLING") : "auto";
    if (sampling != "auto" && sampling != "host" && sampling != "device") {
        set_err(err, cap, "ebr_create: EBR_LLAMA_SAMPLING is '" + sampling + "'; it takes host, device or auto");
        return EBR_ERR_INVALID_ARGUMENT;
    }
    bool all_on_gpu = llama_supports_gpu_offload() &&
                      (cfg.n_gpu_layers < 0 || cfg.n_gpu_layers > llama_model_n_layer(e->model));
    e->device_sampling = sampling == "device" || (sampling == "auto" && all_on_gpu);
    std::vector<llama_sampler_seq_config> seq_samplers;
    if (e->device_sampling) {
        for (int32_t i = 0; i < n_seq; i++) {
            llama_sampler_chain_params sp = llama_sampler_chain_default_params();
            sp.no_perf = true;
            llama_sampler *chain = llama_sampler_chain_init(sp);
            if (chain == nullptr) {
                set_err(err, cap, "ebr_create: llama_sampler_chain_init failed");
                return EBR_ERR_LOAD;
            }
            e->device_chains.push_back(chain);
            llama_sampler_chain_add(chain, llama_sampler_init_greedy());
            seq_samplers.push_back(llama_sampler_seq_config{i, chain});
        }
        e->on_device.assign((size_t) n_seq, 1);
        cp.samplers = seq_samplers.data();
        cp.n_samplers = seq_samplers.size();
    }
    e->ctx = llama_init_from_model(e->model, cp);
    if (e->ctx == nullptr) {
        set_err(err, cap, std::string("ebr_create: llama_init_from_model failed for '") + path + "' (n_ctx " + std::to_string(cfg.n_ctx) +
                              ", n_seq_max " + std::to_string(n_seq) + ", KV types " + std::to_string(cfg.type_k) + "/" + std::to_string(cfg.type_v) +
                              "): out of memory or an unsupported combination; the engine log says more");
        return EBR_ERR_LOAD;
    }
    // persistent CPU threadpools, as llama-bench attaches them (without, every graph evaluation
    // starts and joins its threads); freed after the context
    ggml_threadpool_params tpp = ggml_threadpool_params_default((int) cp.n_threads);
    e->threadpool = ggml_threadpool_new(&tpp);
    if (cp.n_threads_batch != cp.n_threads) {
        ggml_threadpool_params tppb = ggml_threadpool_params_default((int) cp.n_threads_batch);
        e->threadpool_batch = ggml_threadpool_new(&tppb);
    }
    if (e->threadpool == nullptr || (cp.n_threads_batch != cp.n_threads && e->threadpool_batch == nullptr)) {
        set_err(err, cap, "ebr_create: ggml_threadpool_new failed for " + std::to_string(cp.n_threads) + "/" +
                              std::to_string(cp.n_threads_batch) + " CPU threads");
        return EBR_ERR_LOAD;
    }
    llama_attach_threadpool(e->ctx, e->threadpool, e->threadpool_batch != nullptr ? e->threadpool_batch : e->threadpool);
    e->vocab = llama_model_get_vocab(e->model);
    e->n_vocab = llama_vocab_n_tokens(e->vocab);
    e->n_batch = (int32_t) llama_n_batch(e->ctx);
    e->n_ubatch = (int32_t) llama_n_ubatch(e->ctx);
    e->n_seq_max = (int32_t) llama_n_seq_max(e->ctx);
    e->n_ctx_seq = (int32_t) llama_n_ctx_seq(e->ctx);
    e->max_queued = cfg.max_queued > 0 ? cfg.max_queued : 4096;
    e->batch = llama_batch_init(e->n_batch, 0, 1);
    e->batch_ready = true;
    e->slots.resize((size_t) e->n_seq_max);
    for (int32_t i = 0; i < e->n_seq_max; i++) e->slots[(size_t) i].seq = i;
    e->worker = std::thread(run, e.get());
    *out = e.release();
    return EBR_OK;
}

int32_t fail_internal(char *err, int32_t cap, const char *where, const char *what) {
    set_err(err, cap, std::string(where) + ": " + what);
    return EBR_ERR_INTERNAL;
}

}  // namespace

extern "C" {

EBR_API int32_t ebr_abi_version(void) noexcept { return EBR_ABI_VERSION; }

EBR_API uint64_t ebr_capabilities(void) noexcept {
    return EBR_CAP_FINISH_REASONS | EBR_CAP_PERF_METRICS | EBR_CAP_ITER_STATS | EBR_CAP_CANCEL | EBR_CAP_SEED |
           EBR_CAP_MMAP | EBR_CAP_DECODING_ITER;
}

EBR_API int32_t ebr_backend_version(char *buf, int32_t cap) noexcept {
    try {
        return ebr_common_copy_cstr((std::string("llama.cpp ") + llama_version()).c_str(), buf, cap);
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

EBR_API int32_t ebr_create(const char *path, const ebr_config *cfg, ebr_engine **out, char *err, int32_t cap) noexcept {
    try {
        return create_impl(path, cfg, out, err, cap);
    } catch (const std::bad_alloc &) {
        set_err(err, cap, "ebr_create: out of memory");
        return EBR_ERR_NO_MEMORY;
    } catch (const std::exception &ex) {
        return fail_internal(err, cap, "ebr_create", ex.what());
    } catch (...) {
        return fail_internal(err, cap, "ebr_create", "unknown exception");
    }
}

EBR_API int64_t ebr_enqueue(ebr_engine *h, const ebr_request *user, char *err, int32_t cap) noexcept {
    try {
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
        std::string bad;
        if (r.n_tokens < 1 || r.tokens == nullptr) bad = "the prompt is empty (n_tokens " + std::to_string(r.n_tokens) + ")";
        else if (r.max_new_tokens < 1) bad = "max_new_tokens " + std::to_string(r.max_new_tokens) + " is below 1";
        else if (r.top_k < 0) bad = "top_k " + std::to_string(r.top_k) + " is negative";
        else if (r.end_id < EBR_TOKEN_NONE || r.end_id >= h->n_vocab) bad = "end_id " + std::to_string(r.end_id) + " is not a token of the model's " + std::to_string(h->n_vocab) + " or EBR_TOKEN_NONE";
        else {
            for (int32_t i = 0; i < r.n_tokens; i++) {
                if (r.tokens[i] < 0 || r.tokens[i] >= h->n_vocab) {
                    bad = "prompt token " + std::to_string(i) + " is " + std::to_string(r.tokens[i]) + ", outside the model's vocabulary of " + std::to_string(h->n_vocab);
                    break;
                }
            }
        }
        if (!bad.empty()) {
            set_err(err, cap, "ebr_enqueue: " + bad);
            return EBR_ERR_INVALID_ARGUMENT;
        }
        PendingRequest pr;
        pr.prompt.assign(r.tokens, r.tokens + r.n_tokens);
        r.tokens = nullptr;
        pr.req = r;
        pr.arrival_ns = ebr_common_now_ns();
        int64_t id;
        {
            std::lock_guard<std::mutex> lk(h->mu);
            if (!h->fatal.empty()) {
                set_err(err, cap, "ebr_enqueue: the engine has failed: " + h->fatal);
                return EBR_ERR_ENGINE;
            }
            if ((int32_t) h->queue.size() >= h->max_queued) {
                set_err(err, cap, "ebr_enqueue: " + std::to_string(h->queue.size()) + " requests already wait for a slot (max_queued)");
                return EBR_ERR_BUSY;
            }
            id = h->next_id++;
            pr.id = id;
            h->live.insert(id);
            h->queue.push_back(std::move(pr));
        }
        h->work_cv.notify_one();
        return id;
    } catch (const std::bad_alloc &) {
        set_err(err, cap, "ebr_enqueue: out of memory");
        return EBR_ERR_NO_MEMORY;
    } catch (const std::exception &ex) {
        return fail_internal(err, cap, "ebr_enqueue", ex.what());
    } catch (...) {
        return fail_internal(err, cap, "ebr_enqueue", "unknown exception");
    }
}

EBR_API int32_t ebr_cancel(ebr_engine *h, int64_t req_id) noexcept {
    try {
        if (h == nullptr) return EBR_ERR_INVALID_ARGUMENT;
        {
            std::lock_guard<std::mutex> lk(h->mu);
            if (h->live.count(req_id) == 0) return EBR_ERR_NOT_FOUND;
            h->cancels.insert(req_id);
        }
        h->work_cv.notify_one();
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
        std::unique_lock<std::mutex> lk(h->mu);
        if (h->events.empty() && timeout_ms > 0) {
            h->event_cv.wait_for(lk, std::chrono::milliseconds(timeout_ms),
                                 [h] { return !h->events.empty() || !h->fatal.empty(); });
        }
        if (h->events.empty()) return h->fatal.empty() ? 0 : EBR_ERR_ENGINE;
        int32_t n = 0, used = 0;
        while (n < ev_cap && !h->events.empty()) {
            PendingEvent &pe = h->events.front();
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
            events[n].n_tok = k;
            if (k > 0) std::memcpy(tokens + used, pe.tokens.data(), sizeof(int32_t) * (size_t) k);
            used += k;
            n++;
            h->events.pop_front();
        }
        *tokens_used = used;
        return n;
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
            std::string s = "{\"backend\":\"llama\",\"sampling\":\"" + std::string(h->device_sampling ? "device" : "host") +
                            "\",\"deviceSampledTotal\":" + std::to_string(h->device_sampled_total) +
                            ",\"iterations\":" + std::to_string(h->iterations) +
                            ",\"decodeNsTotal\":" + std::to_string(h->decode_ns_total) +
                            ",\"sampleNsTotal\":" + std::to_string(h->sample_ns_total) +
                            ",\"tokensTotal\":" + std::to_string(h->tokens_total) +
                            ",\"promptTokensTotal\":" + std::to_string(h->prompt_tokens_total) +
                            ",\"generatedTokensTotal\":" + std::to_string(h->generated_total) +
                            ",\"activeRequests\":" + std::to_string(h->active) +
                            ",\"queuedRequests\":" + std::to_string(h->queue.size()) +
                            ",\"slots\":" + std::to_string(h->n_seq_max) +
                            ",\"nCtxSeq\":" + std::to_string(h->n_ctx_seq) +
                            ",\"dropped\":" + std::to_string(h->dropped) + ",\"recent\":[";
            bool first = true;
            for (const IterRecord &r : h->recent) {
                if (!first) s += ',';
                first = false;
                s += "{\"iter\":" + std::to_string(r.iter) + ",\"active\":" + std::to_string(r.active) +
                     ",\"tokens\":" + std::to_string(r.tokens) + ",\"promptTokens\":" + std::to_string(r.prompt_tokens) +
                     ",\"decodeTokens\":" + std::to_string(r.decode_tokens) + ",\"decodeNs\":" + std::to_string(r.decode_ns) +
                     ",\"sampleNs\":" + std::to_string(r.sample_ns) + ",\"endNs\":" + std::to_string(r.end_ns) + "}";
            }
            s += "]}";
            h->recent.clear();
            h->dropped = 0;
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
    try {
        free_engine(e);
        return EBR_OK;
    } catch (...) {
        return EBR_ERR_ENGINE;
    }
}

}  // extern "C"
