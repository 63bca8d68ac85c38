//go:build amd64 && !purego

#include "textflag.h"

// Offsets in decArgs (dec_amd64.go).
#define D_OH 0
#define D_OV 8
#define D_OD 16
#define D_TH 24
#define D_TV 32
#define D_TD 40
#define D_RH 48
#define D_RV 56
#define D_RD 64
#define D_AH 72
#define D_AV 80
#define D_AD 88
#define D_N 96
#define D_DL 104
#define D_INV4096 112
#define D_COS 144
#define D_EGL 176
#define D_R16384Q 208
#define D_LIM 240
#define D_K32768 272
#define D_R16384D 288

// BAND decouples one band of 4 coefficients: reference xo, distorted xt,
// angle flag in X6; stores the restored part at roff and the additive
// part at aoff.
#define BAND(xo, xt, roff, aoff) \
	VPADDD D_K32768(DI), xo, X7; \
	VPCMPEQD X8, X8, X8; \
	MOVQ D_DL(DI), BX; \
	VPGATHERDD X8, (BX)(X7*4), X9; \
	VPMOVSXDQ X9, Y9; \
	VPMOVSXDQ xt, Y10; \
	VPMULDQ Y10, Y9, Y9; \
	VPADDQ D_R16384Q(DI), Y9, Y9; \
	VPCMPGTQ Y9, Y15, Y10; \
	VPANDN Y9, Y10, Y9; \
	VPCMPGTQ D_LIM(DI), Y9, Y10; \
	VBLENDVPD Y10, D_LIM(DI), Y9, Y9; \
	VPSRLQ $15, Y9, Y9; \
	VEXTRACTI128 $1, Y9, X10; \
	VSHUFPS $0x88, X10, X9, X9; \
	VPCMPEQD X15, xo, X10; \
	VPBLENDVB X10, D_K32768(DI), X9, X9; \
	VPMULLD xo, X9, X11; \
	VPADDD D_R16384D(DI), X11, X11; \
	VPSRAD $15, X11, X11; \
	VPCMPEQD X15, X9, X12; \
	VPOR X10, X12, X12; \
	VPANDN X6, X12, X12; \
	VCVTDQ2PD X11, Y13; \
	VMULPD D_EGL(DI), Y13, Y13; \
	VCVTDQ2PD xt, Y14; \
	VCMPPD $1, Y14, Y13, Y9; \
	VCMPPD $14, Y14, Y13, Y10; \
	VEXTRACTF128 $1, Y9, X8; \
	VSHUFPS $0x88, X8, X9, X9; \
	VEXTRACTF128 $1, Y10, X8; \
	VSHUFPS $0x88, X8, X10, X10; \
	VPCMPGTD X15, xo, X8; \
	VPBLENDVB X8, X9, X10, X9; \
	VCVTTPD2DQY Y13, X10; \
	VPBLENDVB X9, X10, xt, X10; \
	VPBLENDVB X12, X10, X11, X11; \
	VPSUBD X11, xt, X10; \
	VPSLLD $16, X10, X10; \
	VPSRAD $16, X10, X10; \
	VPACKSSDW X11, X11, X11; \
	VPACKSSDW X10, X10, X10; \
	MOVQ roff(DI), BX; \
	VMOVQ X11, (BX)(R12*2); \
	MOVQ aoff(DI), BX; \
	VMOVQ X10, (BX)(R12*2)

#define LOAD(off, x) \
	MOVQ off(DI), BX; \
	VPMOVSXWD (BX)(R12*2), x

// func decouple0RowAVX2(a *decArgs)
TEXT ·decouple0RowAVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), DI
	MOVQ D_N(DI), R13
	VPXOR Y15, Y15, Y15
	XORQ R12, R12

loop:
	CMPQ R12, R13
	JGE  done
	LOAD(D_OH, X0)
	LOAD(D_OV, X1)
	LOAD(D_OD, X2)
	LOAD(D_TH, X3)
	LOAD(D_TV, X4)
	LOAD(D_TD, X5)

	// angle flag: a = f32(oh*th+ov*tv)/4096;
	// a >= 0 && a*a >= cos²·(f32(oh²+ov²)/4096)·(f32(th²+tv²)/4096)
	VPMULLD X3, X0, X7
	VPMULLD X4, X1, X8
	VPADDD X8, X7, X7
	VPMULLD X0, X0, X8
	VPMULLD X1, X1, X9
	VPADDD X9, X8, X8
	VPMULLD X3, X3, X9
	VPMULLD X4, X4, X10
	VPADDD X10, X9, X9
	VCVTDQ2PS X7, X7
	VCVTDQ2PS X8, X8
	VCVTDQ2PS X9, X9
	VCVTPS2PD X7, Y7
	VCVTPS2PD X8, Y8
	VCVTPS2PD X9, Y9
	VMULPD D_INV4096(DI), Y7, Y7
	VMULPD D_INV4096(DI), Y8, Y8
	VMULPD D_INV4096(DI), Y9, Y9
	VMULPD D_COS(DI), Y8, Y8
	VMULPD Y9, Y8, Y8
	VMULPD Y7, Y7, Y10
	VCMPPD $13, Y8, Y10, Y10
	VCMPPD $13, Y15, Y7, Y7
	VANDPD Y7, Y10, Y10
	VEXTRACTF128 $1, Y10, X7
	VSHUFPS $0x88, X7, X10, X6

	BAND(X0, X3, D_RH, D_AH)
	BAND(X1, X4, D_RV, D_AV)
	BAND(X2, X5, D_RD, D_AD)

	ADDQ $4, R12
	JMP  loop

done:
	VZEROUPPER
	RET
