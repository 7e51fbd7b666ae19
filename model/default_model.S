/* The default model, embedded as bytes: chaff_default_model[_end]. */
	.section .rodata
	.global chaff_default_model
	.global chaff_default_model_end
	.balign 16
chaff_default_model:
	.incbin "model/default.model"
chaff_default_model_end:
	.byte 0
	.section .note.GNU-stack,"",%progbits
