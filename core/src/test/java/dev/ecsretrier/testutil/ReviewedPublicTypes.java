package dev.ecsretrier.testutil;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * A module's public types checked against the reviewed list in a resource beside its tests (one
 * type a line, nested types as {@code Outer.Inner}, {@code #} starts a comment). A type another
 * module can reach is an API decision: adding one should be a line in that list a reviewer sees,
 * not a side effect of a missing modifier. Types under an {@code internal} package are public only for
 * the other packages of their module, and not listed: the layer tests keep other modules out of them.
 */
public final class ReviewedPublicTypes {

    private ReviewedPublicTypes() {
    }

    /**
     * Fails naming every type that is public but not listed in {@code resource}, and every listed
     * type that is no longer public, each with what to do about it.
     */
    public static void check(Iterable<JavaClass> classes, Predicate<JavaClass> ofTheModule, String resource) {
        SortedSet<String> actual = publicTypes(classes, ofTheModule).stream()
                .map(ReviewedPublicTypes::name)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> reviewed = listed(resource);
        SortedSet<String> added = new TreeSet<>(actual);
        added.removeAll(reviewed);
        SortedSet<String> gone = new TreeSet<>(reviewed);
        gone.removeAll(actual);
        StringBuilder problems = new StringBuilder();
        if (!added.isEmpty()) {
            problems.append("public but not in the reviewed list ").append(resource).append(": ").append(added)
                    .append(". A public type is an API decision: make it package-private, move it under an"
                            + " `internal` package if other packages of its module need it, or add it to the"
                            + " list (and docs/architecture.md) if other modules should use it.\n");
        }
        if (!gone.isEmpty()) {
            problems.append("listed in ").append(resource).append(" but not public (or gone): ").append(gone)
                    .append(". Remove them from the list.\n");
        }
        if (problems.length() > 0) {
            throw new AssertionError(problems.toString().strip());
        }
    }

    /** Fails naming every package with a public type that {@code guide} does not name (as {@code `package`}). */
    public static void checkPackagesNamedIn(Iterable<JavaClass> classes, Predicate<JavaClass> ofTheModule, Path guide) {
        String text;
        try {
            text = Files.readString(guide);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SortedSet<String> unnamed = publicTypes(classes, ofTheModule).stream()
                .map(JavaClass::getPackageName)
                .filter(pkg -> !text.contains("`" + pkg + "`"))
                .collect(Collectors.toCollection(TreeSet::new));
        if (!unnamed.isEmpty()) {
            throw new AssertionError(guide + " does not name the package(s) " + unnamed
                    + ", which have public types: say who uses each and what it holds");
        }
    }

    /** The module's types other packages can reach, leaving out its {@code internal} packages. */
    private static List<JavaClass> publicTypes(Iterable<JavaClass> classes, Predicate<JavaClass> ofTheModule) {
        return StreamSupport.stream(classes.spliterator(), false)
                .filter(ofTheModule)
                .filter(type -> !type.getPackageName().matches(".*\\.internal(\\..*)?"))
                .filter(ReviewedPublicTypes::reachableFromOtherPackages)
                .toList();
    }

    /** Public, and so is every type it is nested in (a public record inside a package-private interface is not). */
    private static boolean reachableFromOtherPackages(JavaClass type) {
        if (type.isAnonymousClass() || type.isLocalClass()) {
            return false;
        }
        for (Optional<JavaClass> t = Optional.of(type); t.isPresent(); t = t.get().getEnclosingClass()) {
            if (!t.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private static String name(JavaClass type) {
        return type.getName().replace('$', '.');
    }

    private static Set<String> listed(String resource) {
        try (InputStream in = ReviewedPublicTypes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(line -> line.replaceFirst("#.*", "").strip())
                    .filter(line -> !line.isEmpty())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
