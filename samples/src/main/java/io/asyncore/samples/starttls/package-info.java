/**
 * STARTTLS, as SMTP does it, on a small line protocol: a conversation starts in plaintext and
 * moves to TLS on a {@code STARTTLS} line, with {@link io.asyncore.chat.AsyncChat} on both ends.
 *
 * <p>The protocol: lines end with CRLF; the server greets with {@code 220}, and answers one line per
 * command.
 * <ul>
 *   <li>{@code HELLO name}: {@code 250 hello name, over plaintext} (or {@code over TLSv1.3});
 *   <li>{@code STARTTLS}: {@code 220 go ahead}, then both ends start TLS; {@code 503} if TLS is on;
 *   <li>{@code SECRET}: {@code 530 STARTTLS first} in plaintext, {@code 250 ...} over TLS;
 *   <li>{@code QUIT}: {@code 221 bye}, then the server closes; anything else: {@code 500}.
 * </ul>
 */
package io.asyncore.samples.starttls;
