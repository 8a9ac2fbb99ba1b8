/* The smallest GDExtension that registers a class: one abstract class
 * `EmptyNode` extending Node, registered at the SCENE level and unregistered
 * at its deinitialization, as godot-cpp and gdext do. No Rust, no godot-cpp. */
#include <stdint.h>
#include <string.h>

typedef void *(*GetProcAddress)(const char *name);
typedef void (*StringNameNewWithLatin1Chars)(void *r_dest, const char *contents, uint8_t is_static);
typedef void (*RegisterClass4)(void *library, const void *class_name, const void *parent_name, const void *info);
typedef void (*UnregisterClass)(void *library, const void *class_name);

typedef struct {
    uint8_t is_virtual, is_abstract, is_exposed, is_runtime;
    const void *icon_path;
    void *set_func, *get_func, *get_property_list_func, *free_property_list_func;
    void *property_can_revert_func, *property_get_revert_func, *validate_property_func;
    void *notification_func, *to_string_func, *reference_func, *unreference_func;
    void *create_instance_func;
    void (*free_instance_func)(void *class_userdata, void *instance);
    void *recreate_instance_func, *get_virtual_func, *get_virtual_call_data_func, *call_virtual_with_data_func;
    void *class_userdata;
} ClassCreationInfo4;

typedef struct {
    int minimum_initialization_level;
    void *userdata;
    void (*initialize)(void *userdata, int level);
    void (*deinitialize)(void *userdata, int level);
} Initialization;

enum { LEVEL_SCENE = 2 };

static GetProcAddress get_proc;
static void *library;
static uint64_t class_name, parent_name; /* StringName is one pointer */

static void free_instance(void *class_userdata, void *instance) { (void)class_userdata; (void)instance; }

static void on_init(void *userdata, int level) {
    (void)userdata;
    if (level != LEVEL_SCENE) return;
    StringNameNewWithLatin1Chars sn = (StringNameNewWithLatin1Chars)get_proc("string_name_new_with_latin1_chars");
    sn(&class_name, "EmptyNode", 0);
    sn(&parent_name, "Node", 0);
    ClassCreationInfo4 info;
    memset(&info, 0, sizeof info);
    info.is_abstract = 1;
    info.is_exposed = 1;
    info.free_instance_func = free_instance;
    ((RegisterClass4)get_proc("classdb_register_extension_class4"))(library, &class_name, &parent_name, &info);
}

static void on_deinit(void *userdata, int level) {
    (void)userdata;
    if (level != LEVEL_SCENE) return;
    ((UnregisterClass)get_proc("classdb_unregister_extension_class"))(library, &class_name);
}

uint8_t empty_extension_init(GetProcAddress p_get_proc_address, void *p_library, Initialization *init) {
    get_proc = p_get_proc_address;
    library = p_library;
    init->minimum_initialization_level = LEVEL_SCENE;
    init->userdata = 0;
    init->initialize = on_init;
    init->deinitialize = on_deinit;
    return 1;
}
