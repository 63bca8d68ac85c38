//go:build amd64 && !purego

#include "textflag.h"

// ABSACC adds |a − 2·x| for the 16 bytes of x in X(src) (a: low half in
// X6, high half in X1, as words) to the four int32 lanes of acc.
#define ABSACC(src, acc) \
	MOVOU src, X7; PUNPCKLBW X0, X7; PADDW X7, X7; \
	MOVOU X6, X8; PSUBW X7, X8; \
	MOVOU X0, X9; PSUBW X8, X9; PMAXSW X9, X8; \
	PMADDWL X14, X8; PADDL X8, acc; \
	MOVOU src, X7; PUNPCKHBW X0, X7; PADDW X7, X7; \
	MOVOU X1, X8; PSUBW X7, X8; \
	MOVOU X0, X9; PSUBW X8, X9; PMAXSW X9, X8; \
	PMADDWL X14, X8; PADDL X8, acc

// func idetRowSSE2(up, mid, dn, prev, next *byte, n int, acc *idetAcc)
// n is a positive multiple of 16. SSE2 only (amd64 baseline).
TEXT ·idetRowSSE2(SB), NOSPLIT, $0-56
	MOVQ up+0(FP), R8
	MOVQ mid+8(FP), R9
	MOVQ dn+16(FP), R10
	MOVQ prev+24(FP), R11
	MOVQ next+32(FP), R12
	MOVQ n+40(FP), CX
	MOVQ acc+48(FP), DI
	PXOR X0, X0
	PXOR X10, X10
	PXOR X11, X11
	PXOR X12, X12
	PXOR X13, X13
	PCMPEQW X14, X14
	PSRLW $15, X14
	XORQ SI, SI

loop:
	MOVOU (R8)(SI*1), X1
	MOVOU (R10)(SI*1), X2
	MOVOU (R9)(SI*1), X3
	MOVOU (R11)(SI*1), X4
	MOVOU (R12)(SI*1), X5
	// gamma: Σ|mid − prev| (doubled by the caller)
	MOVOU X3, X6
	PSADBW X4, X6
	PADDQ X6, X13
	// a = up + dn as words: low half X6, high half X1
	MOVOU X1, X6
	PUNPCKLBW X0, X6
	MOVOU X2, X7
	PUNPCKLBW X0, X7
	PADDW X7, X6
	PUNPCKHBW X0, X1
	PUNPCKHBW X0, X2
	PADDW X2, X1
	ABSACC(X4, X10)
	ABSACC(X5, X11)
	ABSACC(X3, X12)
	ADDQ $16, SI
	CMPQ SI, CX
	JLT loop

	MOVOU X10, 0(DI)
	MOVOU X11, 16(DI)
	MOVOU X12, 32(DI)
	MOVOU X13, 48(DI)
	RET
