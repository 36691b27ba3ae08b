package io.meshwork.samples.voting;

import io.meshwork.samples.voting.local.LocalPostgres;
import io.meshwork.samples.voting.local.LocalRedis;
import io.meshwork.samples.voting.result.ResultConfig;
import io.meshwork.samples.voting.result.ResultService;
import io.meshwork.samples.voting.vote.VoteConfig;
import io.meshwork.samples.voting.vote.VoteService;
import io.meshwork.samples.voting.worker.WorkerConfig;
import io.meshwork.samples.voting.worker.WorkerService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's {@code backing} and {@code all} commands: run the app on one machine without a
 * mesh, for a first look or to try one service against real backing stores.
 */
final class LocalRun {
    private LocalRun() {}

    /** Starts Redis and PostgreSQL, prints the settings the services need, runs until stopped. */
    static void backing() throws InterruptedException {
        var started = new ArrayList<AutoCloseable>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(started)));
        var env = startBacking(started);
        System.out.println("# Backing services are up; use these settings for vote, worker and result (Ctrl-C stops and deletes them):");
        env.forEach((k, v) -> System.out.println("export " + k + "=" + v));
        Thread.currentThread().join();
    }

    /**
     * Starts Redis, PostgreSQL, vote v1 on PORT (default 8080), vote v2 on V2_PORT (default
     * 8082), result on RESULT_PORT (default 8081) and the worker, all in this JVM.
     */
    static void all(Settings settings) throws InterruptedException {
        var started = new ArrayList<AutoCloseable>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(started)));
        var env = startBacking(started);
        String bind = settings.get("BIND", "127.0.0.1");
        var base = Settings.of(env).with("BIND", bind)
                .with("OPTION_A", settings.get("OPTION_A", "Cats")).with("OPTION_B", settings.get("OPTION_B", "Dogs"));
        var v1 = VoteService.start(VoteConfig.from(base.with("VERSION", "v1").with("PORT", settings.get("PORT", "8080"))));
        started.add(v1);
        var v2 = VoteService.start(VoteConfig.from(base.with("VERSION", "v2").with("PORT", settings.get("V2_PORT", "8082"))));
        started.add(v2);
        started.add(WorkerService.start(WorkerConfig.from(base)));
        var result = ResultService.start(ResultConfig.from(base.with("PORT", settings.get("RESULT_PORT", "8081"))));
        started.add(result);
        System.out.println("vote v1: http://" + bind + ":" + v1.port() + "/");
        System.out.println("vote v2: http://" + bind + ":" + v2.port() + "/");
        System.out.println("result:  http://" + bind + ":" + result.port() + "/");
        System.out.println("Ctrl-C stops everything and deletes the data.");
        Thread.currentThread().join();
    }

    private static Map<String, String> startBacking(List<AutoCloseable> started) {
        var redis = LocalRedis.start();
        started.add(redis);
        System.out.println(redis.kind() == LocalRedis.Kind.REDIS_SERVER
                ? "redis-server started on " + redis.address()
                : "redis-server is not installed: started the embedded Redis stand-in on " + redis.address());
        var pg = LocalPostgres.start();
        started.add(pg);
        System.out.println("PostgreSQL started on " + pg.address());
        var env = new LinkedHashMap<String, String>();
        env.put("REDIS_ADDR", redis.address().toString());
        env.put("REDIS_PASSWORD", redis.password());
        env.put("DB_ADDR", pg.address().toString());
        env.put("DB_USER", pg.user());
        env.put("DB_PASSWORD", pg.password());
        env.put("DB_NAME", pg.database());
        return env;
    }

    private static void closeAll(List<AutoCloseable> started) {
        var reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
