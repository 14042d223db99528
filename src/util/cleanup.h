/* Cleanup attributes: early returns stay leak-free without goto ladders.
 * Ownership hand-off is explicit through NX_STEAL. */
#ifndef NX_CLEANUP_H
#define NX_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void nx_freep(void *p)
{
	free(*(void **)p);
}

static inline void nx_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void nx_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define cleanup_free   __attribute__((cleanup(nx_freep)))
#define cleanup_close  __attribute__((cleanup(nx_closep)))
#define cleanup_fclose __attribute__((cleanup(nx_fclosep)))

#define NX_STEAL(p)                                                                                          \
	({                                                                                                   \
		__typeof__(p) nx_stolen_ = (p);                                                              \
		(p) = NULL;                                                                                  \
		nx_stolen_;                                                                                  \
	})

#define NX_STEAL_FD(fd)                                                                                      \
	({                                                                                                   \
		int nx_stolen_fd_ = (fd);                                                                    \
		(fd) = -1;                                                                                   \
		nx_stolen_fd_;                                                                               \
	})

#endif
