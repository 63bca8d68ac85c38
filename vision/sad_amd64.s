//go:build amd64 && !purego

#include "textflag.h"

// func sadBytesSSE2(a, b *byte, n int) uint64
// n is a positive multiple of 16. PSADBW is SSE2, part of the amd64
// baseline, so no CPU feature check is needed.
TEXT ·sadBytesSSE2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	PXOR X0, X0

loop:
	MOVOU (SI), X1
	MOVOU (DI), X2
	PSADBW X2, X1
	PADDQ X1, X0
	ADDQ $16, SI
	ADDQ $16, DI
	SUBQ $16, CX
	JNZ loop
	MOVOU X0, X1
	PSRLDQ $8, X1
	PADDQ X1, X0
	MOVQ X0, ret+24(FP)
	RET
