// A target process with three USDT probes, written the way <sys/sdt.h> writes them (that header is not installed here):
// at the probe site a nop with a local label; in .note.stapsdt an ELF note (owner "stapsdt", type 3) holding the
// nop's address, the address of _.stapsdt.base, the semaphore's address (0: none), then the NUL-terminated provider,
// probe name and argument string ("SIZE@OPERAND ...", SIZE negative for signed, operands in AT&T syntax as the
// compiler prints them: %reg, $imm, off(%reg), off(%base,%index,scale)). _.stapsdt.base is a one-byte symbol in .stapsdt.base that tools use to
// detect prelink moving the binary. Usage: usdt_target ITERATIONS; prints the guarded probe's semaphore at the end.
#include <stdio.h>
#include <stdlib.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define USDT_NOTE(provider, name, semaphore, args)                                                  \
    "990: nop\n"                                                                                     \
    ".pushsection .note.stapsdt,\"?\",\"note\"\n"                                                    \
    ".balign 4\n"                                                                                    \
    ".4byte 992f-991f, 994f-993f, 3\n"                                                               \
    "991: .asciz \"stapsdt\"\n"                                                                      \
    "992: .balign 4\n"                                                                               \
    "993: .8byte 990b\n"                                                                             \
    ".8byte _.stapsdt.base\n"                                                                        \
    ".8byte " semaphore "\n"                                                                         \
    ".asciz \"" provider "\"\n"                                                                      \
    ".asciz \"" name "\"\n"                                                                          \
    ".asciz \"" args "\"\n"                                                                          \
    "994: .balign 4\n"                                                                               \
    ".popsection\n"                                                                                  \
    ".ifndef _.stapsdt.base\n"                                                                       \
    ".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n"                          \
    ".weak _.stapsdt.base\n"                                                                         \
    ".hidden _.stapsdt.base\n"                                                                       \
    "_.stapsdt.base: .space 1\n"                                                                     \
    ".size _.stapsdt.base, 1\n"                                                                      \
    ".popsection\n"                                                                                  \
    ".endif\n"

/* sdt.h's semaphores: 16-bit counters in .probes that tracers increment while attached. */
unsigned short demo_guarded_semaphore __attribute__((section(".probes"), used));

static volatile int seed_int = -7;
static volatile signed char seed_char = -100;
static volatile unsigned long long seed_big = 0x123456789abcdef0ULL;
static volatile short seed_short = -30000;
static volatile unsigned char seed_byte = 200;
static int table[8] = { 10, -20, 30, -40, 50, -60, 70, -80 };

int main(int argc, char **argv)
{
    int iterations = argc > 1 ? atoi(argv[1]) : 1;
    for (int i = 0; i < iterations; i++) {
        int a = seed_int - i;                    /* in a register, 4 bytes signed */
        unsigned long long b = seed_big + i;     /* in memory, 8 bytes unsigned */
        signed char c = seed_char;               /* in an 8-bit register, signed */
        short s = seed_short;                    /* in memory, 2 bytes signed */
        __asm__ __volatile__(USDT_NOTE("demo", "plain", "0", "-4@%0 8@%1 -1@%2 -4@$-42 -2@%3")
                             :: "r"(a), "m"(b), "q"(c), "m"(s));
        /* An indexed operand: table[2 + i % 4], read through base + index * 4 + 8. */
        long index = i % 4;
        __asm__ __volatile__(USDT_NOTE("demo", "indexed", "0", "-4@8(%0,%1,4) 8@%1")
                             :: "r"(table), "r"(index) : "memory");
        if (demo_guarded_semaphore) {
            unsigned char u = seed_byte;         /* 1 byte unsigned: 200 stays 200 */
            long l = -1L - i;                    /* 8 bytes signed */
            __asm__ __volatile__(USDT_NOTE("demo", "guarded", "demo_guarded_semaphore", "1@%0 -8@%1")
                                 :: "q"(u), "r"(l));
        }
    }
    printf("%u\n", demo_guarded_semaphore);
    return 0;
}
