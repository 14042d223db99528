#define NX_INSTALLED_LUA "/usr/local/share/nexcage/lua"
