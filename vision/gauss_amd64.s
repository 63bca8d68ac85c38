//go:build amd64 && !purego

#include "textflag.h"

// BCAST16 fills X(reg) with the 16-bit constant imm in every lane.
#define BCAST16(imm, reg) \
	MOVL $imm, AX; MOVQ AX, reg; PSHUFLW $0, reg, reg; PSHUFD $0, reg, reg

// VERT computes the column weights for 8 columns: X1 = a2 (r0+r4),
// X2 = a1 (r1+r3), X3 = a0 (r2) as words; stores c2, c1, c0 at off(DX).
#define VERT(off) \
	MOVOU X1, X4; PMULLW X8, X4; MOVOU X2, X5; PMULLW X9, X5; PADDW X5, X4; \
	MOVOU X3, X5; PMULLW X10, X5; PADDW X5, X4; MOVOU X4, off(DI)(DX*1); \
	MOVOU X1, X4; PMULLW X9, X4; MOVOU X2, X5; PMULLW X11, X5; PADDW X5, X4; \
	MOVOU X3, X5; PMULLW X12, X5; PADDW X5, X4; MOVOU X4, off(BX)(DX*1); \
	MOVOU X1, X4; PMULLW X10, X4; MOVOU X2, X5; PMULLW X12, X5; PADDW X5, X4; \
	MOVOU X3, X5; PMULLW X13, X5; PADDW X5, X4; MOVOU X4, off(R13)(DX*1)

// SUMS loads 16 columns of the five rows at SI and widens one half with
// UNPCK (PUNPCKLBW: low 8 columns, PUNPCKHBW: high 8) into X1 = r0+r4,
// X2 = r1+r3 and X3 = r2 as words.
#define SUMS(UNPCK) \
	MOVOU (R8)(SI*1), X1; MOVOU (R12)(SI*1), X4; UNPCK X0, X1; UNPCK X0, X4; PADDW X4, X1; \
	MOVOU (R9)(SI*1), X2; MOVOU (R11)(SI*1), X4; UNPCK X0, X2; UNPCK X0, X4; PADDW X4, X2; \
	MOVOU (R10)(SI*1), X3; UNPCK X0, X3

// func gaussVertSSE2(r0, r1, r2, r3, r4 *byte, c0, c1, c2 *uint16, n int)
// n is a positive multiple of 16.
TEXT ·gaussVertSSE2(SB), NOSPLIT, $0-72
	MOVQ r0+0(FP), R8
	MOVQ r1+8(FP), R9
	MOVQ r2+16(FP), R10
	MOVQ r3+24(FP), R11
	MOVQ r4+32(FP), R12
	MOVQ c0+40(FP), R13
	MOVQ c1+48(FP), BX
	MOVQ c2+56(FP), DI
	MOVQ n+64(FP), CX
	PXOR X0, X0
	BCAST16(2, X8)
	BCAST16(4, X9)
	BCAST16(5, X10)
	BCAST16(9, X11)
	BCAST16(12, X12)
	BCAST16(15, X13)
	XORQ SI, SI
	XORQ DX, DX

vloop:
	SUMS(PUNPCKLBW)
	VERT(0)
	SUMS(PUNPCKHBW)
	VERT(16)
	ADDQ $16, SI
	ADDQ $32, DX
	CMPQ SI, CX
	JLT vloop
	RET

// func gaussHorizSSE2(c0, c1, c2 *uint16, dst *byte, n int)
// dst[k] = (c2[k−2] + c2[k+2] + c1[k−1] + c1[k+1] + c0[k]) / 159 for
// k < n, n a positive multiple of 8; the sums are below 2^16 and the
// division is exact as (x·52759) >> 23 for them.
TEXT ·gaussHorizSSE2(SB), NOSPLIT, $0-40
	MOVQ c0+0(FP), R13
	MOVQ c1+8(FP), BX
	MOVQ c2+16(FP), DI
	MOVQ dst+24(FP), R8
	MOVQ n+32(FP), CX
	MOVL $52759, AX
	MOVQ AX, X8
	PSHUFLW $0, X8, X8
	PSHUFD $0, X8, X8
	XORQ SI, SI
	XORQ DX, DX

hloop:
	MOVOU -4(DI)(DX*1), X1
	MOVOU 4(DI)(DX*1), X2
	PADDW X2, X1
	MOVOU -2(BX)(DX*1), X2
	PADDW X2, X1
	MOVOU 2(BX)(DX*1), X2
	PADDW X2, X1
	MOVOU (R13)(DX*1), X2
	PADDW X2, X1
	PMULHUW X8, X1
	PSRLW $7, X1
	PACKUSWB X1, X1
	MOVQ X1, (R8)(SI*1)
	ADDQ $8, SI
	ADDQ $16, DX
	CMPQ SI, CX
	JLT hloop
	RET
