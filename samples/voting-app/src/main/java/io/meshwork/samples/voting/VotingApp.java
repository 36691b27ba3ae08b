package io.meshwork.samples.voting;

import io.meshwork.samples.voting.local.RedisStandIn;
import io.meshwork.samples.voting.result.ResultService;
import io.meshwork.samples.voting.vote.VoteService;
import io.meshwork.samples.voting.worker.WorkerService;
import java.util.Arrays;

/**
 * One entry point for every service of the app, so one jar runs them all:
 * {@code java -jar meshwork-voting-app.jar vote|worker|result|redis-standin|backing|all [--NAME=value...]}.
 * {@code backing} starts Redis and PostgreSQL for a manual run and prints their settings;
 * {@code all} runs everything in one JVM without a mesh.
 * Settings come from environment variables, overridden by {@code --NAME=value} flags.
 */
public final class VotingApp {
    private static final String USAGE = "Usage: VotingApp vote|worker|result|redis-standin|backing|all [--NAME=value ...]";

    private VotingApp() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "vote" -> VoteService.main(rest);
                case "worker" -> WorkerService.main(rest);
                case "result" -> ResultService.main(rest);
                case "redis-standin" -> redisStandIn(rest);
                case "backing" -> LocalRun.backing();
                case "all" -> LocalRun.all(Settings.fromEnvironmentAndArgs(rest));
                default -> {
                    System.err.println("Unknown service '" + args[0] + "'; choose vote, worker, result, redis-standin, backing or all.");
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            // A setting the user gave is wrong or a port is taken: one sentence, no stack trace.
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(1);
        }
    }

    /** Serves the embedded Redis stand-in on {@code BIND=127.0.0.1:PORT} (default 6379) with {@code REDIS_PASSWORD}. */
    private static void redisStandIn(String[] args) throws InterruptedException {
        var settings = Settings.fromEnvironmentAndArgs(args);
        var standIn = RedisStandIn.start(settings.getInt("PORT", 6379), settings.get("REDIS_PASSWORD", ""));
        System.out.println("redis stand-in listening on 127.0.0.1:" + standIn.port()
                + (settings.get("REDIS_PASSWORD", "").isEmpty() ? " without AUTH" : " with AUTH"));
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close));
        Thread.currentThread().join();
    }
}
