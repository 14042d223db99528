.section .rodata
.global nx_init_blob
.global nx_init_blob_end
.balign 16
nx_init_blob:
.incbin "/work/main/build-dev/nexcage-init"
nx_init_blob_end:
.section .note.GNU-stack,"",@progbits
