/* bytecode: a small stack-machine interpreter whose dispatch is a switch over
 * the opcode byte, which compiles to a jump table: an indirect jump per
 * bytecode instruction, the hard case for a binary translator. The program it
 * runs computes, for n = 1..N, the Collatz step count of n and sums them, plus
 * a running xor of the counts. Optional argument: N (default 4000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum op {
    PUSH,  /* push the next byte-coded 32-bit immediate */
    LOAD,  /* push local[imm] */
    STORE, /* local[imm] = pop */
    ADD, SUB, MUL, DIV2, AND, XOR,
    LT,    /* a < b */
    JMP,   /* pc = imm */
    JZ,    /* if pop == 0: pc = imm */
    DUP, DROP, PRINT, HALT,
};

struct vm {
    int64_t stack[64];
    int64_t locals[8];
};

static int32_t imm(const uint8_t *code, int pc) {
    return (int32_t)((uint32_t)code[pc] | (uint32_t)code[pc + 1] << 8 | (uint32_t)code[pc + 2] << 16 |
                     (uint32_t)code[pc + 3] << 24);
}

static long run(const uint8_t *code, struct vm *vm) {
    int sp = 0, pc = 0;
    long executed = 0;
    for (;;) {
        executed++;
        uint8_t op = code[pc++];
        switch ((enum op)op) {
        case PUSH: vm->stack[sp++] = imm(code, pc); pc += 4; break;
        case LOAD: vm->stack[sp++] = vm->locals[code[pc++]]; break;
        case STORE: vm->locals[code[pc++]] = vm->stack[--sp]; break;
        case ADD: sp--; vm->stack[sp - 1] += vm->stack[sp]; break;
        case SUB: sp--; vm->stack[sp - 1] -= vm->stack[sp]; break;
        case MUL: sp--; vm->stack[sp - 1] *= vm->stack[sp]; break;
        case DIV2: vm->stack[sp - 1] >>= 1; break;
        case AND: sp--; vm->stack[sp - 1] &= vm->stack[sp]; break;
        case XOR: sp--; vm->stack[sp - 1] ^= vm->stack[sp]; break;
        case LT: sp--; vm->stack[sp - 1] = vm->stack[sp - 1] < vm->stack[sp]; break;
        case JMP: pc = imm(code, pc); break;
        case JZ: pc = vm->stack[--sp] == 0 ? imm(code, pc) : pc + 4; break;
        case DUP: vm->stack[sp] = vm->stack[sp - 1]; sp++; break;
        case DROP: sp--; break;
        case PRINT: printf("vm prints %lld\n", (long long)vm->stack[--sp]); break;
        case HALT: return executed;
        default: printf("bad opcode %d at %d\n", op, pc - 1); return -1;
        }
    }
}

/* A tiny assembler: emit bytes and patch forward jump targets. */
static uint8_t program[256];
static int length;

static void emit(uint8_t b) { program[length++] = b; }
static void emit_imm(int32_t v) {
    for (int i = 0; i < 4; i++)
        emit((uint8_t)((uint32_t)v >> (8 * i)));
}
static void op_imm(enum op op, int32_t v) { emit(op); emit_imm(v); }
static void op_local(enum op op, int slot) { emit(op); emit((uint8_t)slot); }
static int here(void) { return length; }
static void patch(int at, int32_t target) {
    int saved = length;
    length = at;
    emit_imm(target);
    length = saved;
}

int main(int argc, char **argv) {
    int32_t limit = argc > 1 ? atoi(argv[1]) : 4000;
    enum { N, X, STEPS, TOTAL, MIX };
    /* n = 1; total = 0; mix = 0 */
    op_imm(PUSH, 1), op_local(STORE, N);
    op_imm(PUSH, 0), op_local(STORE, TOTAL);
    op_imm(PUSH, 0), op_local(STORE, MIX);
    /* outer: while n < limit + 1 */
    int outer = here();
    op_local(LOAD, N), op_imm(PUSH, limit + 1), emit(LT);
    emit(JZ); int exit_patch = here(); emit_imm(0);
    /*   x = n; steps = 0 */
    op_local(LOAD, N), op_local(STORE, X);
    op_imm(PUSH, 0), op_local(STORE, STEPS);
    /*   inner: while 1 < x */
    int inner = here();
    op_imm(PUSH, 1), op_local(LOAD, X), emit(LT);
    emit(JZ); int inner_exit = here(); emit_imm(0);
    /*     if x & 1: x = 3x + 1 else x = x / 2 */
    op_local(LOAD, X), op_imm(PUSH, 1), emit(AND);
    emit(JZ); int even = here(); emit_imm(0);
    op_local(LOAD, X), op_imm(PUSH, 3), emit(MUL), op_imm(PUSH, 1), emit(ADD), op_local(STORE, X);
    op_imm(JMP, 0); int join = here() - 4;
    patch(even, here());
    op_local(LOAD, X), emit(DIV2), op_local(STORE, X);
    patch(join, here());
    /*     steps = steps + 1 */
    op_local(LOAD, STEPS), op_imm(PUSH, 1), emit(ADD), op_local(STORE, STEPS);
    op_imm(JMP, inner);
    patch(inner_exit, here());
    /*   total += steps; mix = (mix ^ steps) * 33 & 0xffffff... kept in 32 bits */
    op_local(LOAD, TOTAL), op_local(LOAD, STEPS), emit(ADD), op_local(STORE, TOTAL);
    op_local(LOAD, MIX), op_local(LOAD, STEPS), emit(XOR), op_imm(PUSH, 33), emit(MUL);
    op_imm(PUSH, 0x7fffffff), emit(AND), op_local(STORE, MIX);
    /*   n = n + 1 */
    op_local(LOAD, N), op_imm(PUSH, 1), emit(ADD), op_local(STORE, N);
    op_imm(JMP, outer);
    patch(exit_patch, here());
    op_local(LOAD, TOTAL), emit(PRINT);
    op_local(LOAD, MIX), emit(PRINT);
    op_imm(PUSH, 7), emit(DUP), emit(SUB), emit(DROP); /* exercise the remaining ops */
    emit(HALT);

    struct vm vm = {0};
    long executed = run(program, &vm);
    printf("program: %d bytes, n up to %d, %ld bytecodes executed\n", length, limit, executed);
    return executed > 0 ? 0 : 1;
}
