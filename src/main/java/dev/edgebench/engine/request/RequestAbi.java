package dev.edgebench.engine.request;

import dev.edgebench.bindings.request.EdgebenchRequest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The downcall handles of one request-engine library. Every implementation exports the same
 * {@code ebr_*} symbols, so the handles are bound to this library's own symbols
 * ({@link SymbolLookup#libraryLookup}) with the generated function descriptors, rather than through
 * the generated static methods, which bind to whichever library of the class loader has the name.
 * Immutable after construction; thread-safe.
 */
final class RequestAbi {
    final Path library;
    final MethodHandle abiVersion;
    final MethodHandle capabilities;
    final MethodHandle backendVersion;
    final MethodHandle configInit;
    final MethodHandle requestInit;
    final MethodHandle create;
    final MethodHandle enqueue;
    final MethodHandle cancel;
    final MethodHandle poll;
    final MethodHandle error;
    final MethodHandle iterStatsJson;
    final MethodHandle nowNs;
    final MethodHandle destroy;

    /**
     * Loads the library (its dependencies through its own run path) and binds every entry point.
     *
     * @param arena keeps the library's lookup open; closing it may unload the library
     * @throws RequestEngineException naming the library and the loader's message when it does not load
     *                                (e.g. a TensorRT-LLM library that is not on the run path)
     */
    RequestAbi(Path library, Arena arena) {
        this.library = library;
        try {
            // the generated descriptors live in classes that also look their symbol up in the libraries
            // of this class loader, so the library is also loaded the ordinary way
            System.load(library.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new RequestEngineException("load", EdgebenchRequest.EBR_ERR_LOAD(),
                    "cannot load " + library + ": " + e.getMessage());
        }
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, arena);
        abiVersion = bind(lookup, "ebr_abi_version", EdgebenchRequest.ebr_abi_version$descriptor());
        capabilities = bind(lookup, "ebr_capabilities", EdgebenchRequest.ebr_capabilities$descriptor());
        backendVersion = bind(lookup, "ebr_backend_version", EdgebenchRequest.ebr_backend_version$descriptor());
        configInit = bind(lookup, "ebr_config_init", EdgebenchRequest.ebr_config_init$descriptor());
        requestInit = bind(lookup, "ebr_request_init", EdgebenchRequest.ebr_request_init$descriptor());
        create = bind(lookup, "ebr_create", EdgebenchRequest.ebr_create$descriptor());
        enqueue = bind(lookup, "ebr_enqueue", EdgebenchRequest.ebr_enqueue$descriptor());
        cancel = bind(lookup, "ebr_cancel", EdgebenchRequest.ebr_cancel$descriptor());
        poll = bind(lookup, "ebr_poll", EdgebenchRequest.ebr_poll$descriptor());
        error = bind(lookup, "ebr_error", EdgebenchRequest.ebr_error$descriptor());
        iterStatsJson = bind(lookup, "ebr_iter_stats_json", EdgebenchRequest.ebr_iter_stats_json$descriptor());
        nowNs = bind(lookup, "ebr_now_ns", EdgebenchRequest.ebr_now_ns$descriptor());
        destroy = bind(lookup, "ebr_destroy", EdgebenchRequest.ebr_destroy$descriptor());
        int version = (int) invoke(abiVersion, "ebr_abi_version");
        if (version != EdgebenchRequest.EBR_ABI_VERSION()) {
            throw new RequestEngineException("ebr_abi_version", EdgebenchRequest.EBR_ERR_UNSUPPORTED(), library + " implements ABI version "
                    + version + ", this build of edgebench version " + EdgebenchRequest.EBR_ABI_VERSION() + "; rebuild it with `make native`");
        }
    }

    private MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor desc) {
        MemorySegment addr = lookup.find(name).orElseThrow(() -> new RequestEngineException("load", EdgebenchRequest.EBR_ERR_LOAD(),
                library + " does not export " + name + " (not a request-engine library of this version)"));
        return Linker.nativeLinker().downcallHandle(addr, desc);
    }

    /** Invokes a handle whose C function cannot throw; wraps what the JVM reports. */
    static Object invoke(MethodHandle h, String name, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": " + t, t);
        }
    }
}
