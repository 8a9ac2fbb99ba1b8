extends SceneTree
## Prints `case: <hex of var_to_bytes(value)> <JSON of what the worker should
## read>` for values of every type a game can pass, for
## rust/web/tests/godot_variant.rs. The worker reads text types as Godot's
## own `str()` writes them, so that is the expectation for those.


func _init() -> void:
	var node := Node.new()
	var typed_ints: Array[int] = [1, 2]
	var typed_dict: Dictionary[String, float] = {"a": 1.5}
	var plain := [null, true, false, 0, -1, 2147483647, 2147483648, -9007199254740993, 1.0, 0.1, 1e300, -2.5,
		"", "é ✓ 😀", "abc", "abcd", &"name"]
	for v in plain:
		_case(v, JSON.stringify(v, "", false, true) if not v is StringName else JSON.stringify(str(v)))
	var texts := [Vector2(1, 2.5), Vector2(0.1, -3), Vector2i(3, -4), Rect2(1, 2, 3, 4), Rect2i(1, 2, 3, 4),
		Vector3(1, 2, 3), Vector3i(1, 2, 3), Transform2D(0.5, Vector2(3, 4)), Vector4(1, 2, 3, 4), Vector4i(1, 2, 3, 4),
		Plane(0, 1, 0, 2), Quaternion(0, 0, 0, 1), AABB(Vector3(1, 2, 3), Vector3(4, 5, 6)), Basis.IDENTITY,
		Transform3D.IDENTITY.translated(Vector3(1, 2, 3)), Color(1, 0.5, 0.25, 1), NodePath("a/b:c"),
		NodePath("/root/x"), PackedByteArray([1, 2, 3]), PackedInt32Array([1, -2]), PackedInt64Array([1, 1 << 40]),
		PackedFloat32Array([1.5, 2]), PackedFloat64Array([0.1]), PackedStringArray(["a", "b"]),
		PackedVector2Array([Vector2(1, 2)]), PackedVector3Array([Vector3(1, 2, 3)]), PackedColorArray([Color.RED]),
		PackedVector4Array([Vector4(1, 2, 3, 4)])]
	for v in texts:
		_case(v, JSON.stringify(str(v)))
	_case(node, JSON.stringify("<Object#%d>" % node.get_instance_id()))
	_case(typed_ints, "[1,2]")
	_case(typed_dict, "{\"a\":1.5}")
	_case({"k": [1, {"n": null}], 2: "two", 1.5: true}, "{\"k\":[1,{\"n\":null}],\"2\":\"two\",\"1.5\":true}")
	node.free()
	quit()


func _case(value, expected: String) -> void:
	print("case: ", var_to_bytes(value).hex_encode(), " ", expected)
