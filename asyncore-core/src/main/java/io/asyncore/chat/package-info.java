/**
 * Python's {@code asynchat}: {@link io.asyncore.chat.AsyncChat}, a dispatcher that splits input at
 * terminators and queues output, with its {@link io.asyncore.chat.Producer}s.
 */
package io.asyncore.chat;
