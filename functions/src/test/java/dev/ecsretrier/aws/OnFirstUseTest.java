package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OnFirstUseTest {

    @Test
    void nothingIsBuiltUntilAskedFor() {
        AtomicInteger built = new AtomicInteger();
        new OnFirstUse<>(built::incrementAndGet);

        assertThat(built).hasValue(0);
    }

    @Test
    void manyThreadsAskingAtOnceBuildOneValue() throws Exception {
        AtomicInteger built = new AtomicInteger();
        OnFirstUse<Object> client = new OnFirstUse<>(() -> {
            built.incrementAndGet();
            return new Object();
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Object> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                seen.add(client.get());
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(built).hasValue(1);
        assertThat(seen).hasSize(8).allSatisfy(v -> assertThat(v).isSameAs(seen.get(0)));
    }
}
