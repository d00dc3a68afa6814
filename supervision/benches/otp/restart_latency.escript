#!/usr/bin/env escript
%% -*- erlang -*-
%%
%% Restart latency of an Erlang/OTP one_for_one supervisor: the same loop as the
%% `restart_latency` case of ../supervision.rs, so the two can be compared on one machine.
%% Part of BettaFish-rs (our own code, not taken from OTP).
%%
%% A supervisor (one_for_one, an intensity it never reaches, period 1 s) has one permanent
%% gen_server worker. Each round casts `crash` to the worker, whose handle_cast returns
%% {stop, Reason, State} (an abnormal exit, like a ractor handler returning Err); the time is
%% taken from just before the cast to the moment the new incarnation's init/1 runs (it sends
%% erlang:monotonic_time(nanosecond) to the bench process). After each restart the bench waits
%% until the supervisor is idle again (supervisor:count_children/1) before the next crash.
%%
%% Usage:  escript restart_latency.escript [quiet|logged] [sustained|fresh] [Restarts]
%%   quiet     (default) logger primary level `none`: the crash, supervisor and proc_lib reports
%%             are dropped where they are raised. Fair against the Rust bench, which installs
%%             no tracing subscriber.
%%   logged    OTP's default logging: the three error reports of every crash are formatted and
%%             written by logger_std_h, to /dev/null.
%%   sustained (default) one supervisor for every restart. OTP keeps the restart times of the
%%             last `period` in a list it walks on every restart (supervisor:add_restart/1), so
%%             under a sustained crash loop that list holds ~1 s of restarts.
%%   fresh     a new supervisor every 500 restarts, so that list stays short: the cost of a
%%             restart itself.
%%   Restarts  sampled restarts (default 10000), after 1000 unsampled ones.
%%
%% Run with the runtime's defaults (one scheduler per core): escript restart_latency.escript

-mode(compile).

%% This one module is both the supervisor's and the worker's callback module (an escript is
%% one module); no -behaviour attributes, as the two would clash over init/1.
-export([init/1, start_worker/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(WARMUP, 1000).
-define(BATCH, 500).

main(Args) ->
    {Logging, Mode, Restarts} = parse(Args, {quiet, sustained, 10000}),
    setup_logging(Logging),
    ok = io:setopts(standard_io, [{encoding, unicode}]),
    process_flag(trap_exit, true),
    Total = ?WARMUP + Restarts,
    Samples = case Mode of
        sustained -> run_batch(Total);
        fresh -> run_fresh(Total, [])
    end,
    Sampled = lists:sort(lists:nthtail(?WARMUP, Samples)),
    N = length(Sampled),
    Mean = lists:sum(Sampled) / N,
    io:format(
        "OTP ~s (erts ~s, ~b schedulers) one_for_one restart latency [~s, ~s], ~b restarts: "
        "p50 ~ts  p90 ~ts  p99 ~ts  p99.9 ~ts  max ~ts  mean ~ts~n",
        [erlang:system_info(otp_release), erlang:system_info(version),
         erlang:system_info(schedulers_online), Logging, Mode, N,
         us(pct(Sampled, 50)), us(pct(Sampled, 90)), us(pct(Sampled, 99)),
         us(pct(Sampled, 99.9)), us(lists:last(Sampled)), us(Mean)]).

parse([], Acc) -> Acc;
parse(["quiet" | T], {_, M, R}) -> parse(T, {quiet, M, R});
parse(["logged" | T], {_, M, R}) -> parse(T, {logged, M, R});
parse(["sustained" | T], {L, _, R}) -> parse(T, {L, sustained, R});
parse(["fresh" | T], {L, _, R}) -> parse(T, {L, fresh, R});
parse([N | T], {L, M, _}) -> parse(T, {L, M, list_to_integer(N)}).

setup_logging(quiet) ->
    ok = logger:set_primary_config(level, none);
setup_logging(logged) ->
    ok = logger:set_primary_config(level, notice),
    _ = logger:remove_handler(default),
    ok = logger:add_handler(default, logger_std_h,
                            #{config => #{type => {file, "/dev/null"}}}).

%% Restarts in batches of ?BATCH, each batch on a new supervisor.
run_fresh(Left, Acc) when Left =< 0 -> lists:append(lists:reverse(Acc));
run_fresh(Left, Acc) -> run_fresh(Left - ?BATCH, [run_batch(min(Left, ?BATCH)) | Acc]).

%% Starts a supervisor, crashes its worker N times, stops it; returns the latencies in ns.
run_batch(N) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, self()}),
    Worker = receive {started, _, Pid} -> Pid after 5000 -> error(no_start) end,
    Samples = crash_loop(N, Sup, Worker, []),
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, shutdown),
    receive {'DOWN', Ref, process, Sup, _} -> ok end,
    Samples.

crash_loop(0, _Sup, _Worker, Acc) -> lists:reverse(Acc);
crash_loop(N, Sup, Worker, Acc) ->
    Sent = erlang:monotonic_time(nanosecond),
    gen_server:cast(Worker, crash),
    receive
        {started, Started, NewWorker} ->
            %% The supervisor answers once it has finished the restart.
            _ = supervisor:count_children(Sup),
            crash_loop(N - 1, Sup, NewWorker, [Started - Sent | Acc])
    after 5000 -> error(no_restart)
    end.

pct(Sorted, P) ->
    Rank = max(1, ceil(P / 100 * length(Sorted))),
    lists:nth(Rank, Sorted).

us(Ns) -> io_lib:format("~.1f µs", [Ns / 1000]).

%% supervisor callback, and gen_server callback for the worker.
init({sup, Bench}) ->
    Flags = #{strategy => one_for_one, intensity => 1000000000, period => 1},
    Child = #{id => w, start => {?MODULE, start_worker, [Bench]}, restart => permanent,
              shutdown => 5000, type => worker},
    {ok, {Flags, [Child]}};
init({worker, Bench}) ->
    Bench ! {started, erlang:monotonic_time(nanosecond), self()},
    {ok, Bench}.

start_worker(Bench) -> gen_server:start_link(?MODULE, {worker, Bench}, []).

handle_call(_Request, _From, State) -> {reply, ok, State}.
handle_cast(crash, State) -> {stop, crashed_on_command, State}.
handle_info(_Info, State) -> {noreply, State}.
