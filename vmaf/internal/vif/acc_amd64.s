//go:build amd64 && !purego

#include "textflag.h"

// Offsets in accLanes (acc.go).
#define L_NUM 0
#define L_DEN 128
#define L_NONLOG 160
#define L_LCNT 192
#define L_EGL 224
#define L_NE 256
#define L_EPS 264

// Constants of accumulateAVX2.
DATA vifAccRnd31<>+0(SB)/8, $0x80000000
DATA vifAccRnd31<>+8(SB)/8, $0x80000000
DATA vifAccRnd31<>+16(SB)/8, $0x80000000
DATA vifAccRnd31<>+24(SB)/8, $0x80000000
GLOBL vifAccRnd31<>(SB), RODATA|NOPTR, $32

DATA vifAccRnd15<>+0(SB)/8, $32768
DATA vifAccRnd15<>+8(SB)/8, $32768
DATA vifAccRnd15<>+16(SB)/8, $32768
DATA vifAccRnd15<>+24(SB)/8, $32768
GLOBL vifAccRnd15<>(SB), RODATA|NOPTR, $32

// sigmaNsq-1 and sigmaNsq as dwords.
DATA vifAccNsqM1<>+0(SB)/4, $131071
DATA vifAccNsqM1<>+4(SB)/4, $131071
DATA vifAccNsqM1<>+8(SB)/4, $131071
DATA vifAccNsqM1<>+12(SB)/4, $131071
GLOBL vifAccNsqM1<>(SB), RODATA|NOPTR, $16

DATA vifAccNsq<>+0(SB)/4, $131072
DATA vifAccNsq<>+4(SB)/4, $131072
DATA vifAccNsq<>+8(SB)/4, $131072
DATA vifAccNsq<>+12(SB)/4, $131072
GLOBL vifAccNsq<>(SB), RODATA|NOPTR, $16

// 2^52 as a float64 bit pattern: OR-ed into an integer below 2^52 it
// gives the float64 2^52+v exactly.
DATA vifAccMagic<>+0(SB)/8, $0x4330000000000000
DATA vifAccMagic<>+8(SB)/8, $0x4330000000000000
DATA vifAccMagic<>+16(SB)/8, $0x4330000000000000
DATA vifAccMagic<>+24(SB)/8, $0x4330000000000000
GLOBL vifAccMagic<>(SB), RODATA|NOPTR, $32

DATA vifAccM7fff<>+0(SB)/8, $0x7fff
DATA vifAccM7fff<>+8(SB)/8, $0x7fff
DATA vifAccM7fff<>+16(SB)/8, $0x7fff
DATA vifAccM7fff<>+24(SB)/8, $0x7fff
GLOBL vifAccM7fff<>(SB), RODATA|NOPTR, $32

DATA vifAccMffff<>+0(SB)/8, $0xffff
DATA vifAccMffff<>+8(SB)/8, $0xffff
DATA vifAccMffff<>+16(SB)/8, $0xffff
DATA vifAccMffff<>+24(SB)/8, $0xffff
GLOBL vifAccMffff<>(SB), RODATA|NOPTR, $32

// float64 exponent bias + 15: log2 k = biased exponent - 1038.
DATA vifAccK1038<>+0(SB)/8, $1038
DATA vifAccK1038<>+8(SB)/8, $1038
DATA vifAccK1038<>+16(SB)/8, $1038
DATA vifAccK1038<>+24(SB)/8, $1038
GLOBL vifAccK1038<>(SB), RODATA|NOPTR, $32

// LOG2Q sets out to log2of64(v) for the four qwords of v (each in
// [2^15, 2^52)): the float64 of v (exact) gives k = exponent-15 and the
// table index 0x8000 | its top 15 mantissa bits; R11 points at
// log2Table[0x8000]. ta, ti, tm, tg are scratch (tm, tg as X too).
#define LOG2Q(v, out, ta, ti, tm, xm, tg, xg) \
	VPOR     vifAccMagic<>(SB), v, ta; \
	VSUBPD   vifAccMagic<>(SB), ta, ta; \
	VPSRLQ   $37, ta, ti; \
	VPAND    vifAccM7fff<>(SB), ti, ti; \
	VPCMPEQD tm, tm, tm; \
	VPGATHERQD xm, (R11)(ti*2), xg; \
	VPMOVZXDQ xg, tg; \
	VPAND    vifAccMffff<>(SB), tg, tg; \
	VPSRLQ   $52, ta, ta; \
	VPSUBQ   vifAccK1038<>(SB), ta, ta; \
	VPSLLQ   $11, ta, ta; \
	VPADDQ   ta, tg, out

// func accumulateAVX2(hMu, hXX, hYY, hXY *uint64, n int, l *accLanes, tab *uint16)
// adds the VIF statistic of n outputs (n a multiple of 4) into l's lanes.
TEXT ·accumulateAVX2(SB), NOSPLIT, $0-56
	MOVQ hMu+0(FP), AX
	MOVQ hXX+8(FP), BX
	MOVQ hYY+16(FP), CX
	MOVQ hXY+24(FP), DX
	MOVQ n+32(FP), SI
	MOVQ l+40(FP), DI
	MOVQ tab+48(FP), R11
	MOVQ L_NE(DI), R10
	VPXOR Y12, Y12, Y12
	VMOVDQU L_DEN(DI), Y13
	VMOVDQU L_NONLOG(DI), Y14
	VMOVDQU L_LCNT(DI), Y15
	XORQ R8, R8

loop:
	CMPQ R8, SI
	JGE  done
	// mu1 = m & lo32, mu2 = m >> 32; products rounded, high dwords kept
	VMOVDQU  (AX)(R8*8), Y0
	VPSRLQ   $32, Y0, Y1
	VPMULUDQ Y0, Y0, Y2
	VPMULUDQ Y1, Y1, Y3
	VPMULUDQ Y1, Y0, Y1
	VPADDQ   vifAccRnd31<>(SB), Y2, Y2
	VPADDQ   vifAccRnd31<>(SB), Y3, Y3
	VPADDQ   vifAccRnd31<>(SB), Y1, Y1
	VPSRLQ   $32, Y2, Y2
	VPSRLQ   $32, Y3, Y3
	VPSRLQ   $32, Y1, Y1
	// xx, yy, xy: (h + 32768) >> 16, low dwords
	VMOVDQU  (BX)(R8*8), Y4
	VMOVDQU  (CX)(R8*8), Y5
	VMOVDQU  (DX)(R8*8), Y6
	VPADDQ   vifAccRnd15<>(SB), Y4, Y4
	VPADDQ   vifAccRnd15<>(SB), Y5, Y5
	VPADDQ   vifAccRnd15<>(SB), Y6, Y6
	VPSRLQ   $16, Y4, Y4
	VPSRLQ   $16, Y5, Y5
	VPSRLQ   $16, Y6, Y6
	// sigma1, sigma2, sigma12 (int32, low dwords), packed into X4..X6
	VPSUBQ   Y2, Y4, Y4
	VPSUBQ   Y3, Y5, Y5
	VPSUBQ   Y1, Y6, Y6
	VPSHUFD  $0x08, Y4, Y4
	VPSHUFD  $0x08, Y5, Y5
	VPSHUFD  $0x08, Y6, Y6
	VPERMQ   $0x08, Y4, Y4
	VPERMQ   $0x08, Y5, Y5
	VPERMQ   $0x08, Y6, Y6
	VPMAXSD  X12, X5, X5
	// L: sigma1 >= sigmaNsq
	VPCMPGTD vifAccNsqM1<>(SB), X4, X7
	// not L: numNonLog += sigma2, denNonLog++ (counted as lanes - L)
	VPANDN    X5, X7, X8
	VPMOVZXDQ X8, Y8
	VPADDQ    Y8, Y14, Y14
	VPMOVSXDQ X7, Y8
	VPSUBQ    Y8, Y15, Y15
	// L: denLog += log2of32(sigmaNsq + sigma1) (the -2048*17 in Go)
	VPADDD    vifAccNsq<>(SB), X4, X9
	VPMOVZXDQ X9, Y9
	LOG2Q(Y9, Y9, Y10, Y11, Y0, X0, Y1, X1)
	VPAND     Y8, Y9, Y9
	VPADDQ    Y9, Y13, Y13
	// N: L && sigma12 > 0 && sigma2 > 0
	VPCMPGTD X12, X6, X9
	VPCMPGTD X12, X5, X10
	VPAND    X9, X10, X9
	VPAND    X7, X9, X9
	VPTEST   X9, X9
	JZ       next
	VPMOVSXDQ X9, Y7
	VCVTDQ2PD X6, Y6
	VCVTDQ2PD X4, Y4
	VBROADCASTSD L_EPS(DI), Y0
	VADDPD    Y4, Y0, Y0
	VDIVPD    Y0, Y6, Y0
	VMULPD    Y6, Y0, Y1
	VCVTDQ2PD X5, Y5
	VSUBPD    Y1, Y5, Y1
	VCVTTPD2DQY Y1, X1
	VPMAXSD   X12, X1, X1
	VPADDD    vifAccNsq<>(SB), X1, X1
	VPMOVZXDQ X1, Y1
	LOG2Q(Y1, Y2, Y8, Y9, Y10, X10, Y11, X11)
	MOVQ DI, R13
	MOVQ DI, R9
	MOVQ R10, R12

eloop:
	VBROADCASTSD L_EGL(R13), Y3
	VMINPD    Y3, Y0, Y3
	VMULPD    Y3, Y3, Y3
	VMULPD    Y4, Y3, Y3
	VROUNDPD  $3, Y3, Y3
	VADDPD    vifAccMagic<>(SB), Y3, Y3
	VPXOR     vifAccMagic<>(SB), Y3, Y3
	VPADDQ    Y1, Y3, Y3
	LOG2Q(Y3, Y5, Y8, Y9, Y10, X10, Y11, X11)
	VPSUBQ    Y2, Y5, Y5
	VPAND     Y7, Y5, Y5
	VPADDQ    L_NUM(R9), Y5, Y5
	VMOVDQU   Y5, L_NUM(R9)
	ADDQ $8, R13
	ADDQ $32, R9
	DECQ R12
	JNZ  eloop

next:
	ADDQ $4, R8
	JMP  loop

done:
	VMOVDQU Y13, L_DEN(DI)
	VMOVDQU Y14, L_NONLOG(DI)
	VMOVDQU Y15, L_LCNT(DI)
	VZEROUPPER
	RET
