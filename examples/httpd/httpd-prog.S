/* SPDX-License-Identifier: MIT */
/* The assembled connection program (httpd.sr), linked in as data. */
	.section .rodata
	.balign 8
	.globl httpd_prog
httpd_prog:
	.incbin "httpd.bin"
	.globl httpd_prog_end
httpd_prog_end:
	.section .note.GNU-stack, "", @progbits
