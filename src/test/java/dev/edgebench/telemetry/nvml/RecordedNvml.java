package dev.edgebench.telemetry.nvml;

import dev.edgebench.bindings.nvml.Nvml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link NvmlApi} that replays recorded readings: per device and call, a list of
 * (return code, value) answers, the last one repeating. Calls not recorded answer
 * {@code NVML_ERROR_NOT_SUPPORTED}, as Jetson's NVML does.
 */
final class RecordedNvml implements NvmlApi {
    record Answer(int code, long value) {
    }

    int initCode = NvmlReturn.SUCCESS;
    int countCode = NvmlReturn.SUCCESS;
    int deviceCount = 1;
    String driverVersion = "580.159.04";
    final List<String> names = new ArrayList<>();
    final Map<String, List<Answer>> answers = new HashMap<>();
    final Map<String, Integer> calls = new HashMap<>();
    int shutdowns;
    boolean closed;

    RecordedNvml record(int device, String call, long... values) {
        List<Answer> list = answers.computeIfAbsent(device + "/" + call, k -> new ArrayList<>());
        for (long v : values) {
            list.add(new Answer(NvmlReturn.SUCCESS, v));
        }
        return this;
    }

    RecordedNvml fail(int device, String call, int code) {
        answers.computeIfAbsent(device + "/" + call, k -> new ArrayList<>()).add(new Answer(code, 0));
        return this;
    }

    private int answer(int device, String call, long[] out) {
        String key = device + "/" + call;
        List<Answer> list = answers.get(key);
        if (list == null || list.isEmpty()) {
            return NvmlReturn.NOT_SUPPORTED;
        }
        int n = calls.merge(key, 1, Integer::sum) - 1;
        Answer a = list.get(Math.min(n, list.size() - 1));
        if (a.code == NvmlReturn.SUCCESS) {
            out[0] = a.value;
        }
        return a.code;
    }

    @Override
    public int init() {
        return initCode;
    }

    @Override
    public int shutdown() {
        shutdowns++;
        return NvmlReturn.SUCCESS;
    }

    @Override
    public String errorString(int result) {
        if (result == Nvml.NVML_ERROR_DRIVER_NOT_LOADED()) {
            return "Driver Not Loaded";
        }
        return result == NvmlReturn.NOT_SUPPORTED ? "Not Supported" : "Unknown Error";
    }

    @Override
    public int systemGetDriverVersion(String[] out) {
        out[0] = driverVersion;
        return NvmlReturn.SUCCESS;
    }

    @Override
    public int deviceGetCount(int[] out) {
        out[0] = deviceCount;
        return countCode;
    }

    @Override
    public int deviceGetHandleByIndex(int index) {
        return index < deviceCount ? NvmlReturn.SUCCESS : Nvml.NVML_ERROR_INVALID_ARGUMENT();
    }

    @Override
    public int deviceGetName(int index, String[] out) {
        out[0] = index < names.size() ? names.get(index) : "GPU " + index;
        return NvmlReturn.SUCCESS;
    }

    @Override
    public int deviceGetPowerUsage(int index, long[] out) {
        return answer(index, "power", out);
    }

    @Override
    public int deviceGetEnforcedPowerLimit(int index, long[] out) {
        return answer(index, "limit", out);
    }

    @Override
    public int deviceGetTotalEnergyConsumption(int index, long[] out) {
        return answer(index, "energy", out);
    }

    @Override
    public int deviceGetClockInfo(int index, int clockType, long[] out) {
        return answer(index, clockType == Nvml.NVML_CLOCK_SM() ? "sm" : "mem", out);
    }

    @Override
    public int deviceGetTemperatureGpu(int index, long[] out) {
        return answer(index, "temp", out);
    }

    @Override
    public int deviceGetCurrentClocksEventReasons(int index, long[] out) {
        return answer(index, "reasons", out);
    }

    @Override
    public int deviceGetMemoryUsed(int index, long[] out) {
        return answer(index, "memory", out);
    }

    @Override
    public String description() {
        return "recorded readings";
    }

    @Override
    public void close() {
        closed = true;
    }
}
