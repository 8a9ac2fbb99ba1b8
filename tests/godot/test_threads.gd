extends RefCounted
## Calls from other threads (a Thread, WorkerThreadPool tasks) never crash
## or corrupt the tracker: they are refused, warned about once and counted
## as dropped (wrong_thread); the main thread's calls go on being sent.

const CALLS_PER_THREAD := 50


func _call_everything() -> void:
	for i in CALLS_PER_THREAD:
		GameTracker.log_info("from a thread", {"i": i})
		GameTracker.increment("thread_calls")
		GameTracker.start_span("thread_span").end()


func run(t) -> void:
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "threads", "flush_interval": 60.0}), true, "init")
	GameTracker.log_info("main thread before")
	var thread := Thread.new()
	thread.start(_call_everything)
	thread.wait_to_finish()
	var group := WorkerThreadPool.add_group_task(func(_i): _call_everything(), 4)
	WorkerThreadPool.wait_for_group_task_completion(group)
	GameTracker.log_info("main thread after")
	t.eq(GameTracker.flush_and_wait(10.0), true, "flush_and_wait answers")
	var stats: Dictionary = GameTracker.get_stats()
	var refused := 5 * CALLS_PER_THREAD
	t.eq(stats["logs"]["dropped"]["wrong_thread"], refused, "every log call from a thread is counted")
	t.eq(stats["metrics"]["dropped"]["wrong_thread"], refused, "every metric call from a thread is counted")
	t.eq(stats["traces"]["dropped"]["wrong_thread"], refused, "every span from a thread is counted once")
	t.eq(stats["logs"]["sent"], 2, "the main thread's lines are sent")
	t.check_accounting(stats, "after thread calls")
