#ifndef SWITCHYARD_CGIT2_SHIM_H
#define SWITCHYARD_CGIT2_SHIM_H
#include <git2.h>

/* Swift cannot call C variadic functions: these fixed-arity wrappers cover the
   git_libgit2_opts calls Switchyard makes. */
static inline int cgit2_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}
static inline int cgit2_enable_strict_object_creation(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, enabled);
}
static inline int cgit2_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
#endif
