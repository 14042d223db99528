#ifndef NX_VERSION_H
#define NX_VERSION_H

#define NX_VERSION "0.1.0"
/* The OCI runtime-spec version this runtime implements. */
#define NX_OCI_VERSION	   "1.3.0"
#define NX_OCI_VERSION_MIN "1.0.0"

#endif
