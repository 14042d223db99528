/* The static nexcage-init helper (src/init/), linked into nexcage as bytes
 * so a bare binary can hold containers; written out per container. */
#ifndef NX_INIT_BLOB_H
#define NX_INIT_BLOB_H

extern const char nx_init_blob[];
extern const char nx_init_blob_end[];

#endif
