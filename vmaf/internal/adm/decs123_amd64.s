//go:build amd64 && !purego

#include "textflag.h"

// Offsets in decS123Args (dec_amd64.go).
#define E_OH 0
#define E_OV 8
#define E_OD 16
#define E_TH 24
#define E_TV 32
#define E_TD 40
#define E_RH 48
#define E_RV 56
#define E_RD 64
#define E_AH 72
#define E_AV 80
#define E_AD 88
#define E_N 96
#define E_DONE 104
#define E_DL 112
#define E_EGL 128
#define E_COS 160
#define E_INV4096 192

// Qword constants.
DATA decS123c<>+0(SB)/8, $0x4338000000000000 // 1.5*2^52: int64 <-> float64 for |x| < 2^51
DATA decS123c<>+8(SB)/8, $0x4330000000000000 // 2^52: uint below 2^52 -> float64
DATA decS123c<>+16(SB)/8, $1037               // float64 exponent bias + 14
DATA decS123c<>+24(SB)/8, $32767
DATA decS123c<>+32(SB)/8, $32768
DATA decS123c<>+40(SB)/8, $14
DATA decS123c<>+48(SB)/8, $15
DATA decS123c<>+56(SB)/8, $16384
DATA decS123c<>+64(SB)/8, $1
DATA decS123c<>+72(SB)/8, $0x80000000
GLOBL decS123c<>(SB), RODATA|NOPTR, $80

#define M5251 0
#define M52 8
#define K1037 16
#define K32767 24
#define K32768 32
#define K14 40
#define K15 48
#define K16384 56
#define K1 64
#define K2P31 72


// Qword vector constants of I64F.
DATA decS123v<>+0(SB)/8, $0x4330000000000000
DATA decS123v<>+8(SB)/8, $0x4330000000000000
DATA decS123v<>+16(SB)/8, $0x4330000000000000
DATA decS123v<>+24(SB)/8, $0x4330000000000000
DATA decS123v<>+32(SB)/8, $0x4530000000000000
DATA decS123v<>+40(SB)/8, $0x4530000000000000
DATA decS123v<>+48(SB)/8, $0x4530000000000000
DATA decS123v<>+56(SB)/8, $0x4530000000000000
DATA decS123v<>+64(SB)/8, $0x4530000000100000
DATA decS123v<>+72(SB)/8, $0x4530000000100000
DATA decS123v<>+80(SB)/8, $0x4530000000100000
DATA decS123v<>+88(SB)/8, $0x4530000000100000
DATA decS123v<>+96(SB)/8, $1023
DATA decS123v<>+104(SB)/8, $1023
DATA decS123v<>+112(SB)/8, $1023
DATA decS123v<>+120(SB)/8, $1023
DATA decS123v<>+128(SB)/8, $23
DATA decS123v<>+136(SB)/8, $23
DATA decS123v<>+144(SB)/8, $23
DATA decS123v<>+152(SB)/8, $23
DATA decS123v<>+160(SB)/8, $1
DATA decS123v<>+168(SB)/8, $1
DATA decS123v<>+176(SB)/8, $1
DATA decS123v<>+184(SB)/8, $1
GLOBL decS123v<>(SB), RODATA|NOPTR, $192
#define DV52 decS123v<>+0(SB)
#define DV84 decS123v<>+32(SB)
#define DV8452 decS123v<>+64(SB)
#define DK1023 decS123v<>+96(SB)
#define DK23 decS123v<>+128(SB)
#define DK1 decS123v<>+160(SB)

// BQ(c, y) broadcasts qword constant c into y.
#define BQ(c, y) VPBROADCASTQ decS123c<>+c(SB), y

// I64F(y, a, b, c, d) turns the int64 lanes of y into
// float64(float32(x)) / 4096 exactly (Go's int64 to float32 conversion
// rounds once, to nearest even): the leading bit comes from a float64
// estimate (one less when that rounded up to a power of two), the
// mantissa is rounded in integers and scaled by a built power of two.
// a..d are scratch.
#define I64F(y, a, b, c, d) \
	VPCMPGTQ y, Y15, a; \
	VPXOR a, y, y; \
	VPSUBQ a, y, y; \
	VPBLENDD $0xaa, DV52, y, b; \
	VPSRLQ $32, y, c; \
	VPOR DV84, c, c; \
	VSUBPD DV8452, c, c; \
	VADDPD b, c, c; \
	VPSRLQ $52, c, c; \
	VPSUBQ DK1023, c, c; \
	VPSRLVQ c, y, b; \
	VPCMPEQQ b, Y15, b; \
	VPADDQ b, c, c; \
	VPSUBQ DK23, c, c; \
	VPCMPGTQ Y15, c, b; \
	VPAND b, c, c; \
	VPSRLVQ c, y, b; \
	VPSLLVQ c, b, d; \
	VPSUBQ d, y, y; \
	VMOVDQU DK1, d; \
	VPSLLVQ c, d, d; \
	VPSRLQ $1, d, d; \
	VPCMPEQQ d, y, Y12; \
	VPCMPGTQ d, y, d; \
	VPAND DK1, b, Y11; \
	VPSUBQ Y11, Y15, Y11; \
	VPAND Y11, Y12, Y12; \
	VPCMPEQQ c, Y15, Y11; \
	VPANDN Y12, Y11, Y12; \
	VPOR Y12, d, d; \
	VPSUBQ d, b, b; \
	VPOR DV52, b, b; \
	VSUBPD DV52, b, b; \
	VPADDQ DK1023, c, c; \
	VPSLLQ $52, c, c; \
	VMULPD c, b, y; \
	VPSLLQ $63, a, a; \
	VPXOR a, y, y; \
	VMULPD E_INV4096(DI), y, y

// PACK stores the low dwords of the four qwords of y (clobbered) at
// pointer off, column R12.
#define PACK(y, x, off) \
	VPSHUFD $0x08, y, y; \
	VPERMQ  $0x08, y, y; \
	MOVQ off(DI), BX; \
	VMOVDQU x, (BX)(R12*4)

// ORIENT decouples one orientation of 4 coefficients (reference at ooff,
// distorted at toff) with the angle flag in Y14; stores the restored part
// at roff and the additive part at aoff. Y15 is zero, Y13 the 1.5*2^52
// constant, R11 points at divLookup[0].
#define ORIENT(ooff, toff, roff, aoff) \
	MOVQ ooff(DI), BX; \
	VPMOVSXDQ (BX)(R12*4), Y0; \
	MOVQ toff(DI), BX; \
	VPMOVSXDQ (BX)(R12*4), Y1; \
	VPCMPGTQ Y0, Y15, Y3; \
	VPXOR Y3, Y0, Y2; \
	VPSUBQ Y3, Y2, Y2; \
	BQ(M52, Y12); \
	VPOR Y12, Y2, Y4; \
	VSUBPD Y12, Y4, Y4; \
	VPSRLQ $52, Y4, Y4; \
	BQ(K1037, Y12); \
	VPSUBQ Y12, Y4, Y4; \
	BQ(K32767, Y12); \
	VPCMPGTQ Y12, Y2, Y5; \
	VPAND Y5, Y4, Y4; \
	BQ(K1, Y12); \
	VPSLLVQ Y4, Y12, Y5; \
	VPSRLQ $1, Y5, Y5; \
	VPADDQ Y5, Y2, Y5; \
	VPSRLVQ Y4, Y5, Y5; \
	BQ(K32768, Y11); \
	VPADDQ Y11, Y5, Y5; \
	VPCMPEQD Y6, Y6, Y6; \
	VPGATHERQD X6, (R11)(Y5*4), X7; \
	VPMOVSXDQ X7, Y7; \
	VPMULDQ Y1, Y7, Y7; \
	VPXOR Y3, Y7, Y7; \
	VPSUBQ Y3, Y7, Y7; \
	BQ(K14, Y5); \
	VPADDQ Y5, Y4, Y5; \
	VPSLLVQ Y5, Y12, Y5; \
	BQ(K2P31, Y6); \
	VPAND Y5, Y6, Y6; \
	VPSLLQ $1, Y6, Y6; \
	VPSUBQ Y6, Y5, Y5; \
	VPADDQ Y5, Y7, Y7; \
	VPCMPGTQ Y7, Y15, Y8; \
	BQ(K15, Y5); \
	VPADDQ Y5, Y4, Y5; \
	VPSRLVQ Y5, Y7, Y7; \
	VPANDN Y7, Y8, Y7; \
	VPCMPGTQ Y11, Y7, Y8; \
	VBLENDVPD Y8, Y11, Y7, Y7; \
	VPCMPEQQ Y0, Y15, Y9; \
	VBLENDVPD Y9, Y11, Y7, Y7; \
	VPMULDQ Y0, Y7, Y10; \
	BQ(K16384, Y5); \
	VPADDQ Y5, Y10, Y10; \
	VPSRLQ $15, Y10, Y10; \
	VPCMPEQQ Y7, Y15, Y8; \
	VPOR Y9, Y8, Y8; \
	VPANDN Y14, Y8, Y8; \
	VPSHUFD $0x08, Y10, Y11; \
	VPERMQ $0x08, Y11, Y11; \
	VCVTDQ2PD X11, Y11; \
	VMULPD E_EGL(DI), Y11, Y11; \
	MOVQ toff(DI), BX; \
	VCVTDQ2PD (BX)(R12*4), Y12; \
	VCMPPD $1, Y12, Y11, Y5; \
	VCMPPD $1, Y11, Y12, Y6; \
	VPCMPGTQ Y15, Y0, Y4; \
	VBLENDVPD Y4, Y5, Y6, Y5; \
	VROUNDPD $3, Y11, Y11; \
	VADDPD Y13, Y11, Y11; \
	VPSUBQ Y13, Y11, Y11; \
	VBLENDVPD Y5, Y11, Y1, Y11; \
	VBLENDVPD Y8, Y11, Y10, Y10; \
	VPSUBQ Y10, Y1, Y11; \
	PACK(Y10, X10, roff); \
	PACK(Y11, X11, aoff)

// func decS123RowAVX2(a *decS123Args)
// Decouples a.n coefficients (a multiple of 4), 4 at a time; a.done is
// the number decoupled (all of them).
TEXT ·decS123RowAVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), DI
	MOVQ E_N(DI), R13
	MOVQ E_DL(DI), R11
	VPXOR Y15, Y15, Y15
	BQ(M5251, Y13)
	XORQ R12, R12

loop:
	CMPQ R12, R13
	JGE  done
	// angle flag from h and v: a = f32(oh*th+ov*tv)/4096 >= 0 and
	// a*a >= cos^2 * (f32(oh^2+ov^2)/4096) * (f32(th^2+tv^2)/4096)
	MOVQ E_OH(DI), BX
	VPMOVSXDQ (BX)(R12*4), Y0
	MOVQ E_OV(DI), BX
	VPMOVSXDQ (BX)(R12*4), Y1
	MOVQ E_TH(DI), BX
	VPMOVSXDQ (BX)(R12*4), Y2
	MOVQ E_TV(DI), BX
	VPMOVSXDQ (BX)(R12*4), Y3
	VPMULDQ Y2, Y0, Y4
	VPMULDQ Y3, Y1, Y5
	VPADDQ  Y5, Y4, Y4
	VPMULDQ Y0, Y0, Y5
	VPMULDQ Y1, Y1, Y6
	VPADDQ  Y6, Y5, Y5
	VPMULDQ Y2, Y2, Y6
	VPMULDQ Y3, Y3, Y7
	VPADDQ  Y7, Y6, Y6
	I64F(Y4, Y7, Y8, Y9, Y10)
	I64F(Y5, Y7, Y8, Y9, Y10)
	I64F(Y6, Y7, Y8, Y9, Y10)
	VMULPD E_COS(DI), Y5, Y5
	VMULPD Y6, Y5, Y5
	VMULPD Y4, Y4, Y7
	VCMPPD $2, Y7, Y5, Y8
	VCMPPD $2, Y4, Y15, Y9
	VPAND  Y9, Y8, Y14
	ORIENT(E_OH, E_TH, E_RH, E_AH)
	ORIENT(E_OV, E_TV, E_RV, E_AV)
	ORIENT(E_OD, E_TD, E_RD, E_AD)
	ADDQ $4, R12
	JMP  loop

done:
	MOVQ R12, E_DONE(DI)
	VZEROUPPER
	RET

// func i64F4AVX2(in *[4]int64, out *[4]float64, inv4096 *[4]float64)
// is I64F on four values, for the tests: out = float64(float32(in))/4096.
TEXT ·i64F4AVX2(SB), NOSPLIT, $0-24
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), R8
	MOVQ inv4096+16(FP), DI
	SUBQ $E_INV4096, DI
	VPXOR Y15, Y15, Y15
	VMOVDQU (SI), Y4
	I64F(Y4, Y7, Y8, Y9, Y10)
	VMOVUPD Y4, (R8)
	VZEROUPPER
	RET
