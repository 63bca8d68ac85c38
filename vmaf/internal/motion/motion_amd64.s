//go:build amd64 && !purego

#include "textflag.h"

DATA mconst<>+0(SB)/4, $3571
DATA mconst<>+4(SB)/4, $16004
DATA mconst<>+8(SB)/4, $26386
DATA mconst<>+12(SB)/4, $128
DATA mconst<>+16(SB)/4, $32768
DATA mconst<>+20(SB)/4, $255
GLOBL mconst<>(SB), RODATA|NOPTR, $24

// func yPass8AVX2(p0, p1, p2, p3, p4, c0, c1, c2, c3, c4 *uint8, yrow *int32, n int) (any int32)
// yrow[j] = (3571*(d0+d4) + 16004*(d1+d3) + 26386*d2 + 128) >> 8 with
// dk = pk[j] - ck[j], for j in [0, n) (n a multiple of 8); returns the OR
// of all outputs folded to one int32 (zero iff all are zero).
TEXT ·yPass8AVX2(SB), NOSPLIT, $0-100
	MOVQ p0+0(FP), AX
	MOVQ p1+8(FP), BX
	MOVQ p2+16(FP), CX
	MOVQ p3+24(FP), DX
	MOVQ p4+32(FP), SI
	MOVQ c0+40(FP), R8
	MOVQ c1+48(FP), R9
	MOVQ c2+56(FP), R10
	MOVQ c3+64(FP), R13
	MOVQ c4+72(FP), R14
	MOVQ yrow+80(FP), DI
	MOVQ n+88(FP), R11
	VPBROADCASTD mconst<>+0(SB), Y12
	VPBROADCASTD mconst<>+4(SB), Y13
	VPBROADCASTD mconst<>+8(SB), Y14
	VPBROADCASTD mconst<>+12(SB), Y15
	VPXOR Y11, Y11, Y11
	XORQ R12, R12

yloop:
	CMPQ R12, R11
	JGE  ydone
	VPMOVZXBD (AX)(R12*1), Y0
	VPMOVZXBD (R8)(R12*1), Y5
	VPSUBD    Y5, Y0, Y0
	VPMOVZXBD (SI)(R12*1), Y4
	VPMOVZXBD (R14)(R12*1), Y5
	VPSUBD    Y5, Y4, Y4
	VPADDD    Y4, Y0, Y0
	VPMULLD   Y12, Y0, Y0

	VPMOVZXBD (BX)(R12*1), Y1
	VPMOVZXBD (R9)(R12*1), Y5
	VPSUBD    Y5, Y1, Y1
	VPMOVZXBD (DX)(R12*1), Y3
	VPMOVZXBD (R13)(R12*1), Y5
	VPSUBD    Y5, Y3, Y3
	VPADDD    Y3, Y1, Y1
	VPMULLD   Y13, Y1, Y1

	VPMOVZXBD (CX)(R12*1), Y2
	VPMOVZXBD (R10)(R12*1), Y5
	VPSUBD    Y5, Y2, Y2
	VPMULLD   Y14, Y2, Y2

	VPADDD    Y1, Y0, Y0
	VPADDD    Y2, Y0, Y0
	VPADDD    Y15, Y0, Y0
	VPSRAD    $8, Y0, Y0
	VMOVDQU   Y0, (DI)(R12*4)
	VPOR      Y0, Y11, Y11
	ADDQ $8, R12
	JMP  yloop

ydone:
	VEXTRACTI128 $1, Y11, X0
	VPOR      X0, X11, X11
	VPSHUFD   $0x4e, X11, X0
	VPOR      X0, X11, X11
	VPSHUFD   $0xb1, X11, X0
	VPOR      X0, X11, X11
	VMOVD     X11, AX
	MOVL      AX, any+96(FP)
	VZEROUPPER
	RET

// func xPassAVX2(y *int32, n int) uint32
// For j in [0, n) (n a multiple of 8), with y pointing at the first tap of
// output 0 (y[j..j+4] is output j's window):
//   v = (3571*(y0+y4) + 16004*(y1+y3) + 26386*y2 + 32768) >> 16 (floor)
// computed exactly in 32-bit lanes by splitting y = 256*q + r; returns
// the 32-bit wrapping sum of |v|. Valid for |y| < 2^16.
TEXT ·xPassAVX2(SB), NOSPLIT, $0-20
	MOVQ y+0(FP), AX
	MOVQ n+8(FP), R11
	VPBROADCASTD mconst<>+0(SB), Y12
	VPBROADCASTD mconst<>+4(SB), Y13
	VPBROADCASTD mconst<>+8(SB), Y14
	VPBROADCASTD mconst<>+16(SB), Y15
	VPBROADCASTD mconst<>+20(SB), Y10
	VPXOR Y11, Y11, Y11
	XORQ R12, R12

xloop:
	CMPQ R12, R11
	JGE  xdone
	VMOVDQU 0(AX)(R12*4), Y0
	VMOVDQU 4(AX)(R12*4), Y1
	VMOVDQU 8(AX)(R12*4), Y2
	VMOVDQU 12(AX)(R12*4), Y3
	VMOVDQU 16(AX)(R12*4), Y4

	// q parts (arithmetic >> 8) -> A
	VPSRAD  $8, Y0, Y5
	VPSRAD  $8, Y4, Y6
	VPADDD  Y6, Y5, Y5
	VPMULLD Y12, Y5, Y5
	VPSRAD  $8, Y1, Y6
	VPSRAD  $8, Y3, Y7
	VPADDD  Y7, Y6, Y6
	VPMULLD Y13, Y6, Y6
	VPADDD  Y6, Y5, Y5
	VPSRAD  $8, Y2, Y6
	VPMULLD Y14, Y6, Y6
	VPADDD  Y6, Y5, Y5

	// r parts (& 255) -> B
	VPAND   Y10, Y0, Y0
	VPAND   Y10, Y4, Y4
	VPADDD  Y4, Y0, Y0
	VPMULLD Y12, Y0, Y0
	VPAND   Y10, Y1, Y1
	VPAND   Y10, Y3, Y3
	VPADDD  Y3, Y1, Y1
	VPMULLD Y13, Y1, Y1
	VPADDD  Y1, Y0, Y0
	VPAND   Y10, Y2, Y2
	VPMULLD Y14, Y2, Y2
	VPADDD  Y2, Y0, Y0

	// v = (A + ((B + 32768) >> 8)) >> 8
	VPADDD  Y15, Y0, Y0
	VPSRLD  $8, Y0, Y0
	VPADDD  Y0, Y5, Y5
	VPSRAD  $8, Y5, Y5
	VPABSD  Y5, Y5
	VPADDD  Y5, Y11, Y11
	ADDQ $8, R12
	JMP  xloop

xdone:
	VEXTRACTI128 $1, Y11, X0
	VPADDD    X0, X11, X11
	VPSHUFD   $0x4e, X11, X0
	VPADDD    X0, X11, X11
	VPSHUFD   $0xb1, X11, X0
	VPADDD    X0, X11, X11
	VMOVD     X11, AX
	MOVL      AX, ret+16(FP)
	VZEROUPPER
	RET
