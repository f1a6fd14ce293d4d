/**
 * The network as DJL blocks: {@link dev.catsdogs.trainer.model.MobileNetV2} built as Keras' {@code
 * applications/mobilenet_v2.py} lays it out (Keras layer names and indices, so "fine-tune from
 * layer 100" means what it means in the tutorial), {@link
 * dev.catsdogs.trainer.model.ClassifierHead} (global average pooling and a Dense layer), and {@link
 * dev.catsdogs.trainer.model.TransferNetwork}, which joins them and knows which layers train.
 * Padding is computed once, by {@link dev.catsdogs.trainer.model.KerasPadding}, and carried as
 * {@link dev.catsdogs.trainer.model.Padding}.
 */
package dev.catsdogs.trainer.model;
