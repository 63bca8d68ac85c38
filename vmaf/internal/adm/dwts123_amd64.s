//go:build amd64 && !purego

#include "textflag.h"

// db2 taps (dwtLo, dwtHi) as sign-extended qwords, for VPMULDQ.
DATA admS123Lo0<>+0(SB)/8, $0x3dd2
DATA admS123Lo0<>+8(SB)/8, $0x3dd2
DATA admS123Lo0<>+16(SB)/8, $0x3dd2
DATA admS123Lo0<>+24(SB)/8, $0x3dd2
GLOBL admS123Lo0<>(SB), RODATA|NOPTR, $32
DATA admS123Lo1<>+0(SB)/8, $0x6b13
DATA admS123Lo1<>+8(SB)/8, $0x6b13
DATA admS123Lo1<>+16(SB)/8, $0x6b13
DATA admS123Lo1<>+24(SB)/8, $0x6b13
GLOBL admS123Lo1<>(SB), RODATA|NOPTR, $32
DATA admS123Lo2<>+0(SB)/8, $0x1cb1
DATA admS123Lo2<>+8(SB)/8, $0x1cb1
DATA admS123Lo2<>+16(SB)/8, $0x1cb1
DATA admS123Lo2<>+24(SB)/8, $0x1cb1
GLOBL admS123Lo2<>(SB), RODATA|NOPTR, $32
DATA admS123Lo3<>+0(SB)/8, $0xffffffffffffef70
DATA admS123Lo3<>+8(SB)/8, $0xffffffffffffef70
DATA admS123Lo3<>+16(SB)/8, $0xffffffffffffef70
DATA admS123Lo3<>+24(SB)/8, $0xffffffffffffef70
GLOBL admS123Lo3<>(SB), RODATA|NOPTR, $32
DATA admS123Hi0<>+0(SB)/8, $0xffffffffffffef70
DATA admS123Hi0<>+8(SB)/8, $0xffffffffffffef70
DATA admS123Hi0<>+16(SB)/8, $0xffffffffffffef70
DATA admS123Hi0<>+24(SB)/8, $0xffffffffffffef70
GLOBL admS123Hi0<>(SB), RODATA|NOPTR, $32
DATA admS123Hi1<>+0(SB)/8, $0xffffffffffffe34f
DATA admS123Hi1<>+8(SB)/8, $0xffffffffffffe34f
DATA admS123Hi1<>+16(SB)/8, $0xffffffffffffe34f
DATA admS123Hi1<>+24(SB)/8, $0xffffffffffffe34f
GLOBL admS123Hi1<>(SB), RODATA|NOPTR, $32
DATA admS123Hi2<>+0(SB)/8, $0x6b13
DATA admS123Hi2<>+8(SB)/8, $0x6b13
DATA admS123Hi2<>+16(SB)/8, $0x6b13
DATA admS123Hi2<>+24(SB)/8, $0x6b13
GLOBL admS123Hi2<>(SB), RODATA|NOPTR, $32
DATA admS123Hi3<>+0(SB)/8, $0xffffffffffffc22e
DATA admS123Hi3<>+8(SB)/8, $0xffffffffffffc22e
DATA admS123Hi3<>+16(SB)/8, $0xffffffffffffc22e
DATA admS123Hi3<>+24(SB)/8, $0xffffffffffffc22e
GLOBL admS123Hi3<>(SB), RODATA|NOPTR, $32

// FILT4(c0..c3, x0..x3, dst) sets dst to the four-tap filter c0..c3 of the
// qwords x0..x3 (low dwords, signed) plus the rounding in Y14, shifted
// right by X15 and packed to four dwords in the low half.
#define FILT4(c0, c1, c2, c3, x0, x1, x2, x3, dst) \
	VPMULDQ c0, x0, dst; \
	VPMULDQ c1, x1, Y13; \
	VPADDQ  Y13, dst, dst; \
	VPMULDQ c2, x2, Y13; \
	VPADDQ  Y13, dst, dst; \
	VPMULDQ c3, x3, Y13; \
	VPADDQ  Y13, dst, dst; \
	VPADDQ  Y14, dst, dst; \
	VPSRLQ  X15, dst, dst; \
	VPSHUFD $0x08, dst, dst; \
	VPERMQ  $0x08, dst, dst

// func dwtS123VertWAVX2(r0, r1, r2, r3 *int16, lo, hi *int32, n int, rnd int64, sh uint64)
// lo[j], hi[j] = int32((sum_k dwtLo/Hi[k]*rk[j] + rnd) >> sh) for j < n
// (n a multiple of 4); only the low 32 bits of the shift are kept, so a
// logical shift (sh <= 32) equals Go's arithmetic one.
TEXT ·dwtS123VertWAVX2(SB), NOSPLIT, $0-72
	MOVQ r0+0(FP), AX
	MOVQ r1+8(FP), BX
	MOVQ r2+16(FP), CX
	MOVQ r3+24(FP), DX
	MOVQ lo+32(FP), SI
	MOVQ hi+40(FP), DI
	MOVQ n+48(FP), R8
	VPBROADCASTQ rnd+56(FP), Y14
	VMOVQ sh+64(FP), X15
	XORQ R9, R9

vwloop:
	CMPQ R9, R8
	JGE  vwdone
	VPMOVSXWQ (AX)(R9*2), Y0
	VPMOVSXWQ (BX)(R9*2), Y1
	VPMOVSXWQ (CX)(R9*2), Y2
	VPMOVSXWQ (DX)(R9*2), Y3
	FILT4(admS123Lo0<>(SB), admS123Lo1<>(SB), admS123Lo2<>(SB), admS123Lo3<>(SB), Y0, Y1, Y2, Y3, Y4)
	FILT4(admS123Hi0<>(SB), admS123Hi1<>(SB), admS123Hi2<>(SB), admS123Hi3<>(SB), Y0, Y1, Y2, Y3, Y5)
	VMOVDQU X4, (SI)(R9*4)
	VMOVDQU X5, (DI)(R9*4)
	ADDQ $4, R9
	JMP  vwloop

vwdone:
	VZEROUPPER
	RET

// func dwtS123VertDAVX2(r0, r1, r2, r3 *int32, lo, hi *int32, n int, rnd int64, sh uint64)
// is dwtS123VertWAVX2 for int32 rows.
TEXT ·dwtS123VertDAVX2(SB), NOSPLIT, $0-72
	MOVQ r0+0(FP), AX
	MOVQ r1+8(FP), BX
	MOVQ r2+16(FP), CX
	MOVQ r3+24(FP), DX
	MOVQ lo+32(FP), SI
	MOVQ hi+40(FP), DI
	MOVQ n+48(FP), R8
	VPBROADCASTQ rnd+56(FP), Y14
	VMOVQ sh+64(FP), X15
	XORQ R9, R9

vdloop:
	CMPQ R9, R8
	JGE  vddone
	VPMOVSXDQ (AX)(R9*4), Y0
	VPMOVSXDQ (BX)(R9*4), Y1
	VPMOVSXDQ (CX)(R9*4), Y2
	VPMOVSXDQ (DX)(R9*4), Y3
	FILT4(admS123Lo0<>(SB), admS123Lo1<>(SB), admS123Lo2<>(SB), admS123Lo3<>(SB), Y0, Y1, Y2, Y3, Y4)
	FILT4(admS123Hi0<>(SB), admS123Hi1<>(SB), admS123Hi2<>(SB), admS123Hi3<>(SB), Y0, Y1, Y2, Y3, Y5)
	VMOVDQU X4, (SI)(R9*4)
	VMOVDQU X5, (DI)(R9*4)
	ADDQ $4, R9
	JMP  vdloop

vddone:
	VZEROUPPER
	RET

// func dwtS123HorizAVX2(t *int32, lo, hi *int32, n int, rnd int64, sh uint64)
// lo[m], hi[m] = int32((sum_k dwtLo/Hi[k]*t[2m+k] + rnd) >> sh) for m < n
// (n a multiple of 4); reads t[0 .. 2n+1].
TEXT ·dwtS123HorizAVX2(SB), NOSPLIT, $0-48
	MOVQ t+0(FP), AX
	MOVQ lo+8(FP), SI
	MOVQ hi+16(FP), DI
	MOVQ n+24(FP), R8
	VPBROADCASTQ rnd+32(FP), Y14
	VMOVQ sh+40(FP), X15
	XORQ R9, R9

hloop:
	CMPQ R9, R8
	JGE  hdone
	VMOVDQU (AX)(R9*8), Y0
	VMOVDQU 8(AX)(R9*8), Y2
	VPSRLQ  $32, Y0, Y1
	VPSRLQ  $32, Y2, Y3
	FILT4(admS123Lo0<>(SB), admS123Lo1<>(SB), admS123Lo2<>(SB), admS123Lo3<>(SB), Y0, Y1, Y2, Y3, Y4)
	FILT4(admS123Hi0<>(SB), admS123Hi1<>(SB), admS123Hi2<>(SB), admS123Hi3<>(SB), Y0, Y1, Y2, Y3, Y5)
	VMOVDQU X4, (SI)(R9*4)
	VMOVDQU X5, (DI)(R9*4)
	ADDQ $4, R9
	JMP  hloop

hdone:
	VZEROUPPER
	RET
