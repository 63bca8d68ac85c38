//go:build amd64 && !purego

#include "textflag.h"

DATA csfc<>+0(SB)/4, $4369
DATA csfc<>+4(SB)/4, $2048
GLOBL csfc<>(SB), RODATA|NOPTR, $8

// CSF8 computes 8 outputs from the int16s at off(SI)(R12*2) into Y0 (csf,
// int16 wrapped, sign-extended in int32 lanes) and Y1 (|csf|/30, likewise).
#define CSF8(off) \
	VPMOVSXWD off(SI)(R12*2), Y0; \
	VPMULLD Y10, Y0, Y0; \
	VPADDD Y11, Y0, Y0; \
	VPSRAD X12, Y0, Y0; \
	VPSLLD $16, Y0, Y0; \
	VPSRAD $16, Y0, Y0; \
	VPABSD Y0, Y1; \
	VPMULLD Y13, Y1, Y1; \
	VPADDD Y14, Y1, Y1; \
	VPSRAD $12, Y1, Y1; \
	VPSLLD $16, Y1, Y1; \
	VPSRAD $16, Y1, Y1

// func csf0RowAVX2(src, dst, flt *int16, n int, rf, add int32, sh uint64)
// For j in [0, n) (n a multiple of 16):
// dst[j] = int16((rf*src[j] + add) >> sh), flt[j] = int16((4369*|dst[j]| + 2048) >> 12).
TEXT ·csf0RowAVX2(SB), NOSPLIT, $0-48
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ flt+16(FP), R8
	MOVQ n+24(FP), R11
	MOVL rf+32(FP), AX
	VMOVD AX, X10
	VPBROADCASTD X10, Y10
	MOVL add+36(FP), AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	VMOVQ sh+40(FP), X12
	VPBROADCASTD csfc<>+0(SB), Y13
	VPBROADCASTD csfc<>+4(SB), Y14
	XORQ R12, R12

loop:
	CMPQ R12, R11
	JGE  done
	CSF8(0)
	VMOVDQA Y0, Y2
	VMOVDQA Y1, Y3
	CSF8(16)
	VPACKSSDW Y0, Y2, Y2
	VPACKSSDW Y1, Y3, Y3
	VPERMQ $0xd8, Y2, Y2
	VPERMQ $0xd8, Y3, Y3
	VMOVDQU Y2, (DI)(R12*2)
	VMOVDQU Y3, (R8)(R12*2)
	ADDQ $16, R12
	JMP  loop

done:
	VZEROUPPER
	RET
