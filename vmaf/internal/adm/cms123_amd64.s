//go:build amd64 && !purego

#include "textflag.h"

// Offsets in cmS123Args (cm_amd64.go).
#define C_SH 0
#define C_SV 8
#define C_SD 16
#define C_A0 24
#define C_A1 32
#define C_A2 40
#define C_RU 48
#define C_RK 56
#define C_RD 64
#define C_F 72
#define C_N 80
#define C_IRF0 96
#define C_IRF1 128
#define C_IRF2 160
#define C_ONEBY15 192
#define C_ADDFLT 224
#define C_ADDDST 256
#define C_ADDSQ 288
#define C_ADDCUB 320
#define C_SHCUB 352
#define C_OUT 368

// THR32 adds int32((286331153*|a| - 2^31) >> 32) of the 8 int32s of band
// pointer off to Y0 (the products in 64 bits, even and odd lanes apart).
#define THR32(off) \
	MOVQ off(DI), BX; \
	VMOVDQU (BX)(R12*4), Y1; \
	VPABSD Y1, Y1; \
	VPMULDQ C_ONEBY15(DI), Y1, Y2; \
	VPADDQ C_ADDFLT(DI), Y2, Y2; \
	VPSRLQ $32, Y2, Y2; \
	VPSRLQ $32, Y1, Y3; \
	VPMULDQ C_ONEBY15(DI), Y3, Y3; \
	VPADDQ C_ADDFLT(DI), Y3, Y3; \
	VPBLENDD $0xaa, Y3, Y2, Y2; \
	VPADDD Y2, Y0, Y0

// SRA is an arithmetic right shift of the int64 lanes of v by the count
// in cnt: ~((~v) >> n) for negative lanes.
#define SRA(v, cnt) \
	VPCMPGTQ v, Y15, Y4; \
	VPXOR Y4, v, v; \
	VPSRLQ cnt, v, v; \
	VPXOR Y4, v, v

// BAND32 adds the cmRound terms of the 4 coefficients at byte offset
// boff of band pointer off to acc; thr holds their thresholds in the low
// dwords of its qwords. x = int32((irf*s + 2^27) >> 28) with irf below
// 2^32: irf*s mod 2^64 from two unsigned 32-bit products.
#define BAND32(off, boff, irf, thr, acc) \
	MOVQ off(DI), BX; \
	VPMOVSXDQ boff(BX)(R12*4), Y1; \
	VPMULUDQ irf(DI), Y1, Y2; \
	VPSRLQ $32, Y1, Y3; \
	VPMULUDQ irf(DI), Y3, Y3; \
	VPSLLQ $32, Y3, Y3; \
	VPADDQ Y3, Y2, Y2; \
	VPADDQ C_ADDDST(DI), Y2, Y2; \
	VPSRLQ $28, Y2, Y2; \
	VPABSD Y2, Y2; \
	VPSUBD thr, Y2, Y2; \
	VPMAXSD Y15, Y2, Y2; \
	VPMULUDQ Y2, Y2, Y3; \
	VPADDQ C_ADDSQ(DI), Y3, Y3; \
	VPSRLQ $30, Y3, Y3; \
	VPMULDQ Y2, Y3, Y3; \
	VPADDQ C_ADDCUB(DI), Y3, Y3; \
	SRA(Y3, X5); \
	VPADDQ Y3, acc, acc

// HSUM stores the sum of the int64 lanes of acc at off(SI).
#define HSUM(acc, xacc, off) \
	VEXTRACTI128 $1, acc, X0; \
	VPADDQ X0, xacc, X0; \
	VPSHUFD $0x4e, X0, X1; \
	VPADDQ X1, X0, X0; \
	VMOVQ X0, off(SI)

// func cmS123RowAVX2(a *cmS123Args)
TEXT ·cmS123RowAVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), DI
	MOVQ C_N(DI), R13
	VPXOR Y15, Y15, Y15
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	VPXOR Y12, Y12, Y12
	VMOVQ C_SHCUB(DI), X5
	XORQ R12, R12

loop:
	CMPQ R12, R13
	JGE  done
	MOVQ C_RU(DI), BX
	VMOVDQU (BX)(R12*4), Y0
	MOVQ C_RK(DI), BX
	VPADDD (BX)(R12*4), Y0, Y0
	MOVQ C_RD(DI), BX
	VPADDD (BX)(R12*4), Y0, Y0
	MOVQ C_F(DI), BX
	VPSUBD (BX)(R12*4), Y0, Y0
	THR32(C_A0)
	THR32(C_A1)
	THR32(C_A2)
	VPMOVSXDQ X0, Y13
	VEXTRACTI128 $1, Y0, X14
	VPMOVSXDQ X14, Y14
	BAND32(C_SH, 0, C_IRF0, Y13, Y10)
	BAND32(C_SH, 16, C_IRF0, Y14, Y10)
	BAND32(C_SV, 0, C_IRF1, Y13, Y11)
	BAND32(C_SV, 16, C_IRF1, Y14, Y11)
	BAND32(C_SD, 0, C_IRF2, Y13, Y12)
	BAND32(C_SD, 16, C_IRF2, Y14, Y12)
	ADDQ $8, R12
	JMP  loop

done:
	LEAQ C_OUT(DI), SI
	HSUM(Y10, X10, 0)
	HSUM(Y11, X11, 8)
	HSUM(Y12, X12, 16)
	VZEROUPPER
	RET
