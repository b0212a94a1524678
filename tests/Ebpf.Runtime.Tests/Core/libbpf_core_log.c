// Prints libbpf's CO-RE decisions for an object relocated against a chosen BTF file (btf_custom_path): the debug
// lines of bpf_core_patch_insn ("relo #N: patched insn #I ... A -> B", "substituting insn #I w/ invalid insn").
// Loading the programs may fail afterwards (the BTF need not be the running kernel's); only the log matters.
// Usage: libbpf_core_log OBJECT.o BTF_FILE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static int print(enum libbpf_print_level level, const char *format, va_list args)
{
    char line[1024];
    vsnprintf(line, sizeof line, format, args);
    if (strstr(line, "relo #") || strstr(line, "CO-RE")) fputs(line, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s OBJECT.o BTF_FILE\n", argv[0]); return 2; }
    libbpf_set_print(print);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
    struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
    if (!obj) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
    int err = bpf_object__load(obj);
    printf("LOAD %d\n", err);
    bpf_object__close(obj);
    return 0;
}
