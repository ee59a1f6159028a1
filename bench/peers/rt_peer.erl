%% bench/peers/rt_peer.erl -- the actor-runtime benchmarks of bench/rt_bench.c written for
%% Erlang/OTP, so rt_bench can report our speed over Erlang's (rt.<metric>.vs_erlang).
%% Each scenario is timed over several samples; one JSON line per metric is printed:
%%   {"bench":"erlang.rt.<metric>","unit":"ns/op","median":N,"p99":N,"samples":N}
%% Run with bench/peers/run_erlang.sh (QUICK=1 in the environment takes fewer, shorter samples).
-module(rt_peer).
-export([main/0, child_start/1, child_init/1, sup_init/1]).
-behaviour(supervisor).
-export([init/1]).

samples() -> case os:getenv("ASW_BENCH_QUICK") of "1" -> 2; _ -> 7 end.
scale(N) -> case os:getenv("ASW_BENCH_QUICK") of "1" -> max(1, N div 20); _ -> N end.

now_ns() -> erlang:monotonic_time(nanosecond).

%% Runs F(N) Samples times; per-op ns values; prints median and worst (as "p99").
measure(Name, N, F) ->
    F(max(1, N div 10)), %% warm-up
    Vs = lists:sort([begin T0 = now_ns(), F(N), (now_ns() - T0) / N end
                     || _ <- lists:seq(1, samples())]),
    Med = lists:nth((length(Vs) + 1) div 2, Vs),
    report(Name, "ns/op", Med, lists:last(Vs), length(Vs)).

report(Name, Unit, Med, P99, S) ->
    io:format("{\"bench\":\"erlang.rt.~s\",\"unit\":\"~s\",\"median\":~.3f,\"p99\":~.3f,"
              "\"samples\":~b}~n", [Name, Unit, float(Med), float(P99), S]).

%% spawn + exit of one process
spawn_n(0) -> ok;
spawn_n(N) ->
    {P, R} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', R, process, P, _} -> ok end,
    spawn_n(N - 1).

%% ping-pong: one hop = one message
pong() -> receive {ping, From} -> From ! pong, pong(); stop -> ok end.
ping(_, 0) -> ok;
ping(P, N) -> P ! {ping, self()}, receive pong -> ping(P, N - 1) end.
pingpong(Hops) ->
    P = spawn(fun pong/0),
    ping(P, Hops div 2),
    P ! stop.

%% throughput: S senders -> R receivers
receiver(0, Parent) -> Parent ! done;
receiver(N, Parent) -> receive _ -> receiver(N - 1, Parent) end.
sender(_, 0) -> ok;
sender(Rs, N) -> [R ! m || R <- Rs], sender(Rs, N - 1).
throughput(Total) ->
    S = 4, R = 4, Self = self(),
    PerRecv = Total div R,
    Rs = [spawn(fun() -> receiver(PerRecv, Self) end) || _ <- lists:seq(1, R)],
    PerSenderRounds = PerRecv div S,
    [spawn(fun() -> sender(Rs, PerSenderRounds) end) || _ <- lists:seq(1, S)],
    [receive done -> ok end || _ <- Rs],
    ok.

%% request-response with a timeout (what gen_server:call does: monitor, send, receive/after)
server() -> receive {req, From, Ref} -> From ! {Ref, reply}, server(); stop -> ok end.
call(S) ->
    Ref = erlang:monitor(process, S),
    S ! {req, self(), Ref},
    receive {Ref, reply} -> erlang:demonitor(Ref, [flush]), ok
    after 1000 -> timeout end.
reqresp(N) ->
    S = spawn(fun server/0),
    [call(S) || _ <- lists:seq(1, N)],
    S ! stop.

%% fan-out to 100 subscribers (what a broker does: look the subscribers up, send to each)
sub(0, Parent) -> Parent ! done;
sub(N, Parent) -> receive _ -> sub(N - 1, Parent) end.
fanout(N) ->
    Self = self(),
    Subs = [spawn(fun() -> sub(N, Self) end) || _ <- lists:seq(1, 100)],
    T = ets:new(topics, [bag]),
    [ets:insert(T, {<<"bench/topic">>, P}) || P <- Subs],
    [[P ! {pub, I} || {_, P} <- ets:lookup(T, <<"bench/topic">>)] || I <- lists:seq(1, N)],
    [receive done -> ok end || _ <- Subs],
    ets:delete(T).

%% registry lookup: a named ETS table (read_concurrency), keys are binaries "a<i>"
lookup_bench(Size) ->
    T = ets:new(reg, [set, {read_concurrency, true}]),
    [ets:insert(T, {<<"a", (integer_to_binary(I))/binary>>, I}) || I <- lists:seq(1, Size)],
    Keys = list_to_tuple([<<"a", (integer_to_binary(rand:uniform(Size)))/binary>>
                          || _ <- lists:seq(1, 4096)]),
    F = fun(N) -> lk(T, Keys, N) end,
    Name = case Size of 1000 -> "registry_lookup.1k"; 100000 -> "registry_lookup.100k";
                        _ -> "registry_lookup.1m" end,
    measure(Name, scale(2000000), F),
    ets:delete(T).
lk(_, _, 0) -> ok;
lk(T, Keys, N) -> ets:lookup(T, element((N band 4095) + 1, Keys)), lk(T, Keys, N - 1).

%% memory per idle process
idle() -> receive stop -> ok end.
memory_per_actor() ->
    N = scale(100000),
    erlang:garbage_collect(),
    M0 = erlang:memory(processes),
    Ps = [spawn(fun idle/0) || _ <- lists:seq(1, N)],
    M1 = erlang:memory(processes),
    [P ! stop || P <- Ps],
    B = (M1 - M0) / N,
    report("memory_per_actor", "bytes", B, B, 1).

%% supervisor restart: a one_for_one supervisor restarts a child that crashes at once
init({sup}) ->
    {ok, {#{strategy => one_for_one, intensity => 100000000, period => 1},
          [#{id => c, start => {rt_peer, child_start, [self]}, restart => permanent}]}}.
sup_init(_) -> ok.
child_start(_) ->
    Pid = proc_lib:spawn_link(?MODULE, child_init, [whereis(rt_bench_main)]),
    {ok, Pid}.
child_init(Main) ->
    Main ! {started, self()},
    receive crash -> exit(crash) end.
restart_n(0) -> ok;
restart_n(N) ->
    receive {started, C} -> C ! crash end,
    restart_n(N - 1).
supervisor_restart() ->
    register(rt_bench_main, self()),
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link({local, rt_bench_sup}, ?MODULE, {sup}),
    measure("supervisor_restart", scale(20000), fun restart_n/1),
    unlink(Sup), exit(Sup, kill),
    flush().
flush() -> receive _ -> flush() after 0 -> ok end.

main() ->
    logger:set_primary_config(level, none),
    measure("spawn", scale(200000), fun spawn_n/1),
    measure("send_recv_latency", scale(2000000), fun pingpong/1),
    measure("request_response", scale(500000), fun reqresp/1),
    measure("pubsub_fanout_100", scale(20000), fun fanout/1),
    %% throughput is reported in ops/s
    Tot = scale(4000000),
    throughput(Tot div 10),
    Ts = lists:sort([begin T0 = now_ns(), throughput(Tot), Tot * 1.0e9 / (now_ns() - T0) end
                     || _ <- lists:seq(1, samples())]),
    report("throughput", "ops/s", lists:nth((length(Ts) + 1) div 2, Ts), hd(Ts), length(Ts)),
    [lookup_bench(S) || S <- [1000, 100000, 1000000]],
    memory_per_actor(),
    supervisor_restart(),
    halt(0).
