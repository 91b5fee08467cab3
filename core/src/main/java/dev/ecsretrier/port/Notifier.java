package dev.ecsretrier.port;

/** Tells people how a run ended ({@code sns:Publish}). */
public interface Notifier {

    void publish(Notification notification);
}
