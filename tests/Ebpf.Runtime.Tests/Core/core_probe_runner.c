// Runs a CO-RE probe of sys_enter_getppid with libbpf, here or in a guest kernel (built with -static: the guests'
// initramfs has no libraries). It opens the object (libbpf relocates it against /sys/kernel/btf/vmlinux), sets the
// .rodata variable TargetPid to this process, loads, attaches every program, then calls getppid() twice: before and
// after setting SCHED_RESET_ON_FORK on itself. It registers an rseq area of its own (glibc's is turned off with a
// tunable, re-executing itself), so it knows task_struct.rseq_len. It prints what the kernel says otherwise and
// every 4- and 8-byte global the probe wrote:
//   EXPECT ppid N | EXPECT reset_on_fork BEFORE AFTER | EXPECT rseq_len N
//   VAR NAME VALUE
// Exit 0 when every step worked. Usage: core_probe_runner OBJECT.bpf.o
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#define RSEQ_LENGTH 32          /* the original struct rseq size every kernel with rseq accepts */
#define RSEQ_SIGNATURE 0x53053053

static __u32 rseq_area[RSEQ_LENGTH / 4] __attribute__((aligned(32)));

static int fail(const char *what)
{
    fprintf(stdout, "FAIL %s\n", what);
    return 1;
}

static int print_warnings(enum libbpf_print_level level, const char *format, va_list args)
{
    return level == LIBBPF_WARN ? vfprintf(stdout, format, args) : 0;
}

/* The map of a global data section (".rodata", ".data", ".bss") and its DATASEC type. */
static const struct btf_type *data_section(struct bpf_object *obj, const char *name, struct bpf_map **map)
{
    const struct btf *btf = bpf_object__btf(obj);
    int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC) : -1;
    *map = bpf_object__find_map_by_name(obj, name);
    return id > 0 && *map ? btf__type_by_id(btf, id) : NULL;
}

static int set_rodata_int(struct bpf_object *obj, const char *variable, int value)
{
    struct bpf_map *map;
    const struct btf *btf = bpf_object__btf(obj);
    const struct btf_type *sec = data_section(obj, ".rodata", &map);
    if (!sec) return -1;
    size_t size;
    const void *initial = bpf_map__initial_value(map, &size);
    const struct btf_var_secinfo *v = btf_var_secinfos(sec);
    for (int i = 0; i < btf_vlen(sec); i++, v++) {
        const struct btf_type *var = btf__type_by_id(btf, v->type);
        if (strcmp(btf__name_by_offset(btf, var->name_off), variable) == 0 && v->size == 4 && v->offset + 4 <= size) {
            char *data = malloc(size);
            if (!data) return -1;
            memcpy(data, initial, size);
            memcpy(data + v->offset, &value, 4);
            int err = bpf_map__set_initial_value(map, data, size);
            free(data);
            return err;
        }
    }
    return -1;
}

static void print_globals(struct bpf_object *obj, const char *section)
{
    struct bpf_map *map;
    const struct btf *btf = bpf_object__btf(obj);
    const struct btf_type *sec = data_section(obj, section, &map);
    if (!sec) return;
    size_t size = bpf_map__value_size(map);
    char *value = calloc(1, size);
    __u32 zero = 0;
    if (value && bpf_map__lookup_elem(map, &zero, sizeof zero, value, size, 0) == 0) {
        const struct btf_var_secinfo *v = btf_var_secinfos(sec);
        for (int i = 0; i < btf_vlen(sec); i++, v++) {
            const char *name = btf__name_by_offset(btf, btf__type_by_id(btf, v->type)->name_off);
            if (v->size == 4) { int x; memcpy(&x, value + v->offset, 4); printf("VAR %s %d\n", name, x); }
            if (v->size == 8) { long long x; memcpy(&x, value + v->offset, 8); printf("VAR %s %lld\n", name, x); }
        }
    }
    free(value);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: %s OBJECT.bpf.o\n", argv[0]); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (__rseq_size != 0) {
        if (getenv("CORE_PROBE_RUNNER_REEXEC")) return fail("glibc still registers rseq with glibc.pthread.rseq=0");
        setenv("GLIBC_TUNABLES", "glibc.pthread.rseq=0", 1);
        setenv("CORE_PROBE_RUNNER_REEXEC", "1", 1);
        execv("/proc/self/exe", argv);
        return fail("re-executing without glibc's rseq");
    }
    rseq_area[1] = (__u32)-1;   /* cpu_id: RSEQ_CPU_ID_UNINITIALIZED */
    if (syscall(SYS_rseq, rseq_area, RSEQ_LENGTH, 0, RSEQ_SIGNATURE) != 0) return fail("registering rseq");

    libbpf_set_print(print_warnings);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) return fail("bpf_object__open_file");
    if (set_rodata_int(obj, "TargetPid", getpid()) != 0) return fail("setting .rodata TargetPid");
    if (bpf_object__load(obj) != 0) return fail("bpf_object__load");
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (!bpf_program__attach(prog)) return fail("bpf_program__attach");
    }
    printf("LOADED %s\n", argv[1]);

    struct sched_param param = { 0 };
    int before = sched_getscheduler(0) & SCHED_RESET_ON_FORK ? 1 : 0;
    int ppid = getppid();
    if (sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &param) != 0) return fail("sched_setscheduler");
    int after = sched_getscheduler(0) & SCHED_RESET_ON_FORK ? 1 : 0;
    getppid();

    printf("EXPECT ppid %d\n", ppid);
    printf("EXPECT reset_on_fork %d %d\n", before, after);
    printf("EXPECT rseq_len %d\n", RSEQ_LENGTH);
    print_globals(obj, ".data");
    print_globals(obj, ".bss");
    bpf_object__close(obj);
    return 0;
}
