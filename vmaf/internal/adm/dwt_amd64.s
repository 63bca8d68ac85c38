//go:build amd64 && !purego

#include "textflag.h"

// db2 analysis taps as packed int16 pairs for VPMADDWD:
// lo01 = (15826, 27411), lo23 = (7345, -4240),
// hi01 = (-4240, -7345), hi23 = (27411, -15826).
DATA admc<>+0(SB)/4, $0x6b133dd2
DATA admc<>+4(SB)/4, $0xef701cb1
DATA admc<>+8(SB)/4, $0xe34fef70
DATA admc<>+12(SB)/4, $0xc22e6b13
// vertical rounding, lo: 128 - 46342*128; hi: 128
DATA admc<>+16(SB)/4, $-5931648
DATA admc<>+20(SB)/4, $128
// horizontal rounding
DATA admc<>+24(SB)/4, $32768
GLOBL admc<>(SB), RODATA|NOPTR, $28

// func dwt0Vert8AVX2(r0, r1, r2, r3 *uint8, lo, hi *int16, n int)
TEXT ·dwt0Vert8AVX2(SB), NOSPLIT, $0-56
	MOVQ r0+0(FP), AX
	MOVQ r1+8(FP), BX
	MOVQ r2+16(FP), CX
	MOVQ r3+24(FP), DX
	MOVQ lo+32(FP), SI
	MOVQ hi+40(FP), DI
	MOVQ n+48(FP), R11
	VPBROADCASTD admc<>+0(SB), Y10
	VPBROADCASTD admc<>+4(SB), Y11
	VPBROADCASTD admc<>+8(SB), Y12
	VPBROADCASTD admc<>+12(SB), Y13
	VPBROADCASTD admc<>+16(SB), Y14
	VPBROADCASTD admc<>+20(SB), Y15
	XORQ R12, R12

vloop:
	CMPQ R12, R11
	JGE  vdone
	VPMOVZXBW (AX)(R12*1), Y0
	VPMOVZXBW (BX)(R12*1), Y1
	VPMOVZXBW (CX)(R12*1), Y2
	VPMOVZXBW (DX)(R12*1), Y3
	VPUNPCKLWD Y1, Y0, Y4 // (r0, r1) columns 0-3, 8-11
	VPUNPCKHWD Y1, Y0, Y5 // columns 4-7, 12-15
	VPUNPCKLWD Y3, Y2, Y6 // (r2, r3)
	VPUNPCKHWD Y3, Y2, Y7

	VPMADDWD Y10, Y4, Y0
	VPMADDWD Y11, Y6, Y1
	VPADDD   Y1, Y0, Y0
	VPADDD   Y14, Y0, Y0
	VPSRAD   $8, Y0, Y0
	VPMADDWD Y10, Y5, Y1
	VPMADDWD Y11, Y7, Y2
	VPADDD   Y2, Y1, Y1
	VPADDD   Y14, Y1, Y1
	VPSRAD   $8, Y1, Y1
	VPACKSSDW Y1, Y0, Y0
	VMOVDQU  Y0, (SI)(R12*2)

	VPMADDWD Y12, Y4, Y0
	VPMADDWD Y13, Y6, Y1
	VPADDD   Y1, Y0, Y0
	VPADDD   Y15, Y0, Y0
	VPSRAD   $8, Y0, Y0
	VPMADDWD Y12, Y5, Y1
	VPMADDWD Y13, Y7, Y2
	VPADDD   Y2, Y1, Y1
	VPADDD   Y15, Y1, Y1
	VPSRAD   $8, Y1, Y1
	VPACKSSDW Y1, Y0, Y0
	VMOVDQU  Y0, (DI)(R12*2)

	ADDQ $16, R12
	JMP  vloop

vdone:
	VZEROUPPER
	RET

// HTAPS filters 8 outputs starting at byte offset off of the row at R8:
// Y0 = lo taps, Y1 = hi taps, as int32 before the final pack.
#define HTAPS(off) \
	VMOVDQU off(R8)(R12*4), Y2; \
	VMOVDQU (off+4)(R8)(R12*4), Y3; \
	VPMADDWD Y10, Y2, Y0; \
	VPMADDWD Y11, Y3, Y4; \
	VPADDD Y4, Y0, Y0; \
	VPADDD Y14, Y0, Y0; \
	VPSRAD $16, Y0, Y0; \
	VPMADDWD Y12, Y2, Y1; \
	VPMADDWD Y13, Y3, Y4; \
	VPADDD Y4, Y1, Y1; \
	VPADDD Y14, Y1, Y1; \
	VPSRAD $16, Y1, Y1

// func dwt0HorizAVX2(t *int16, lo, hi *int16, n int)
// For m in [0, n) (n a multiple of 16) sets lo[m] (low-pass) and hi[m]
// (high-pass) of t[2m..2m+3].
TEXT ·dwt0HorizAVX2(SB), NOSPLIT, $0-32
	MOVQ t+0(FP), R8
	MOVQ lo+8(FP), SI
	MOVQ hi+16(FP), DI
	MOVQ n+24(FP), R11
	VPBROADCASTD admc<>+0(SB), Y10
	VPBROADCASTD admc<>+4(SB), Y11
	VPBROADCASTD admc<>+8(SB), Y12
	VPBROADCASTD admc<>+12(SB), Y13
	VPBROADCASTD admc<>+24(SB), Y14
	XORQ R12, R12

hloop:
	CMPQ R12, R11
	JGE  hdone
	HTAPS(0)
	VMOVDQA Y0, Y5
	VMOVDQA Y1, Y6
	HTAPS(32)
	VPACKSSDW Y0, Y5, Y5
	VPACKSSDW Y1, Y6, Y6
	VPERMQ $0xd8, Y5, Y5
	VPERMQ $0xd8, Y6, Y6
	VMOVDQU Y5, (SI)(R12*2)
	VMOVDQU Y6, (DI)(R12*2)
	ADDQ $16, R12
	JMP  hloop

hdone:
	VZEROUPPER
	RET
