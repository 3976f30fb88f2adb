/*
 * A stand-in for libnvidia-ml.so.1, written for edgebench's tests (not NVIDIA code): the calls
 * NvmlNative makes, with the argument and struct layouts of nvml.h (NVML 13.3), answering fixed
 * readings. It checks the struct version fields the way the driver does, so a wrong
 * NVML_STRUCT_VERSION in the bindings shows up as NVML_ERROR_ARGUMENT_VERSION_MISMATCH.
 *
 * fake_nvml_set_mode: 0 = two H100-like GPUs, 1 = Jetson (every metric NVML_ERROR_NOT_SUPPORTED),
 * 2 = no driver (nvmlInit_v2 fails with NVML_ERROR_DRIVER_NOT_LOADED).
 */
#include <string.h>

typedef int nvmlReturn_t;
struct nvmlDevice_st { int index; };
typedef struct { struct nvmlDevice_st *handle; } nvmlDevice_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_v1_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;

#define STRUCT_VERSION(type, ver) ((unsigned int)(sizeof(type) | ((ver) << 24U)))
#define SUCCESS 0
#define INVALID_ARGUMENT 2
#define NOT_SUPPORTED 3
#define INSUFFICIENT_SIZE 7
#define DRIVER_NOT_LOADED 9
#define ARGUMENT_VERSION_MISMATCH 25

static struct nvmlDevice_st devices[2] = {{0}, {1}};
static int mode;
static int initialised;
static unsigned long long energy_mj[2] = {1000000ULL, 2000000ULL};

void fake_nvml_set_mode(int m) { mode = m; }
int fake_nvml_initialised(void) { return initialised; }

static int index_of(nvmlDevice_t d) {
    return d.handle == &devices[0] ? 0 : d.handle == &devices[1] ? 1 : -1;
}

#define DEVICE(d)                          \
    int i = index_of(d);                   \
    if (i < 0) return INVALID_ARGUMENT;    \
    if (mode == 1) return NOT_SUPPORTED;

nvmlReturn_t nvmlInit_v2(void) {
    if (mode == 2) return DRIVER_NOT_LOADED;
    initialised++;
    return SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
    initialised--;
    return SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t r) {
    switch (r) {
    case SUCCESS: return "Success";
    case NOT_SUPPORTED: return "Not Supported";
    case DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case ARGUMENT_VERSION_MISMATCH: return "Argument Version Mismatch";
    default: return "Unknown Error";
    }
}

static nvmlReturn_t copy(const char *s, char *out, unsigned int length) {
    if (strlen(s) + 1 > length) return INSUFFICIENT_SIZE;
    strcpy(out, s);
    return SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) { return copy("580.159.04", version, length); }
nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) { return copy("13.580.159.04", version, length); }

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    *count = mode == 1 ? 1 : 2;
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (index >= 2) return INVALID_ARGUMENT;
    device->handle = &devices[index];
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
    int i = index_of(d);
    if (i < 0) return INVALID_ARGUMENT;
    return copy(mode == 1 ? "Orin (nvgpu)" : i == 0 ? "Fake H100 zero" : "Fake H100 one", name, length);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *power) { DEVICE(d) *power = 350000 + 1000 * i; return SUCCESS; }
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *limit) { DEVICE(d) *limit = 700000; return SUCCESS; }

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *energy) {
    DEVICE(d)
    energy_mj[i] += 35000;
    *energy = energy_mj[i];
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *clock) {
    DEVICE(d)
    if (type == 1) *clock = 1980;       /* NVML_CLOCK_SM */
    else if (type == 2) *clock = 2619;  /* NVML_CLOCK_MEM */
    else return INVALID_ARGUMENT;
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t d, nvmlTemperature_v1_t *t) {
    DEVICE(d)
    if (t->version != STRUCT_VERSION(nvmlTemperature_v1_t, 1)) return ARGUMENT_VERSION_MISMATCH;
    if (t->sensorType != 0) return INVALID_ARGUMENT; /* NVML_TEMPERATURE_GPU */
    t->temperature = 45 + i;
    return SUCCESS;
}

/* The deprecated call answers 99 so that a test can tell which one was used. */
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *temp) { DEVICE(d) (void) sensor; *temp = 99; return SUCCESS; }

nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *reasons) {
    DEVICE(d)
    *reasons = i == 0 ? 0x1ULL : (0x4ULL | 0x20ULL);
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m) {
    DEVICE(d)
    if (m->version != STRUCT_VERSION(nvmlMemory_v2_t, 2)) return ARGUMENT_VERSION_MISMATCH;
    m->total = 80ULL << 30;
    m->reserved = 1ULL << 29;
    m->used = (3ULL << 30) + (unsigned long long) i;
    m->free = m->total - m->reserved - m->used;
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) { DEVICE(d) m->used = 1; return SUCCESS; }
