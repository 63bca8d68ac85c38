//go:build amd64 && !purego

#include "textflag.h"

// Offsets in cmArgs (cm_amd64.go).
#define A_SH 0
#define A_SV 8
#define A_SD 16
#define A_A0 24
#define A_A1 32
#define A_A2 40
#define A_RU 48
#define A_RK 56
#define A_RD 64
#define A_F 72
#define A_N 80
#define A_IRF0 96
#define A_IRF1 128
#define A_IRF2 160
#define A_C8738 192
#define A_C2048 224
#define A_SQ28 256
#define A_SQ29 288
#define A_ADDH 320
#define A_ADDD 352

// THR adds int16((8738*|a|+2048)>>12) of the 8 int16s of band pointer off
// to Y0.
#define THR(off) \
	MOVQ off(DI), BX; \
	VPMOVSXWD (BX)(R12*2), Y1; \
	VPABSD Y1, Y1; \
	VPMULLD A_C8738(DI), Y1, Y1; \
	VPADDD A_C2048(DI), Y1, Y1; \
	VPSRAD $12, Y1, Y1; \
	VPSLLD $16, Y1, Y1; \
	VPSRAD $16, Y1, Y1; \
	VPADDD Y1, Y0, Y0

// SRA is an arithmetic right shift of the int64 lanes of v by the count
// in X (AVX2 has none): ~((~v) >> n) for negative lanes.
#define SRA(v, cnt) \
	VPCMPGTQ v, Y15, Y4; \
	VPXOR Y4, v, v; \
	VPSRLQ cnt, v, v; \
	VPXOR Y4, v, v

// BAND adds the cmRound terms of 8 coefficients of band pointer off to acc.
#define BAND(off, irf, thr, sq, shsq, add, sh, acc) \
	MOVQ off(DI), BX; \
	VPMOVSXWD (BX)(R12*2), Y0; \
	VPMULLD irf(DI), Y0, Y0; \
	VPABSD Y0, Y0; \
	VPSUBD thr, Y0, Y0; \
	VPMAXSD Y15, Y0, Y0; \
	VPSRLQ $32, Y0, Y1; \
	VPMULUDQ Y0, Y0, Y2; \
	VPMULUDQ Y1, Y1, Y3; \
	VPADDQ sq(DI), Y2, Y2; \
	VPADDQ sq(DI), Y3, Y3; \
	VPSRLQ shsq, Y2, Y2; \
	VPSRLQ shsq, Y3, Y3; \
	VPMULDQ Y0, Y2, Y2; \
	VPMULDQ Y1, Y3, Y3; \
	VPADDQ add(DI), Y2, Y2; \
	VPADDQ add(DI), Y3, Y3; \
	SRA(Y2, sh); \
	SRA(Y3, sh); \
	VPADDQ Y2, acc, acc; \
	VPADDQ Y3, acc, acc

// HSUM stores the sum of the int64 lanes of acc at off(SI).
#define HSUM(acc, xacc, off) \
	VEXTRACTI128 $1, acc, X0; \
	VPADDQ X0, xacc, X0; \
	VPSHUFD $0x4e, X0, X1; \
	VPADDQ X1, X0, X0; \
	VMOVQ X0, off(SI)

// func cm0RowAVX2(a *cmArgs)
TEXT ·cm0RowAVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), DI
	MOVQ A_N(DI), R13
	VPXOR Y15, Y15, Y15
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	VPXOR Y12, Y12, Y12
	VMOVQ 384(DI), X5 // shSqH
	VMOVQ 392(DI), X6 // shSqD
	VMOVQ 400(DI), X7 // shH
	VMOVQ 408(DI), X8 // shD
	XORQ R12, R12

loop:
	CMPQ R12, R13
	JGE  done
	MOVQ A_RU(DI), BX
	VMOVDQU (BX)(R12*4), Y0
	MOVQ A_RK(DI), BX
	VPADDD (BX)(R12*4), Y0, Y0
	MOVQ A_RD(DI), BX
	VPADDD (BX)(R12*4), Y0, Y0
	MOVQ A_F(DI), BX
	VPSUBD (BX)(R12*4), Y0, Y0
	THR(A_A0)
	THR(A_A1)
	THR(A_A2)
	VPSLLD $10, Y0, Y14
	VPSLLD $12, Y0, Y13
	BAND(A_SH, A_IRF0, Y14, A_SQ28, X5, A_ADDH, X7, Y10)
	BAND(A_SV, A_IRF1, Y14, A_SQ28, X5, A_ADDH, X7, Y11)
	BAND(A_SD, A_IRF2, Y13, A_SQ29, X6, A_ADDD, X8, Y12)
	ADDQ $8, R12
	JMP  loop

done:
	LEAQ 416(DI), SI
	HSUM(Y10, X10, 0)
	HSUM(Y11, X11, 8)
	HSUM(Y12, X12, 16)
	VZEROUPPER
	RET
