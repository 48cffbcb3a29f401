/* virtio-mmio (version 2) as the S-mode payloads drive it: the transport's registers and one
   split virtqueue of VIRTQ_SIZE entries (virtio 1.1, sections 2.6 and 4.2.2), plus the
   virtio-blk request header (5.2.6). QEMU virt's eight slots start at 0x1000_1000, 0x1000 apart. */
#ifndef VIRTIO_H
#define VIRTIO_H

#define VIRTIO_SLOTS 8
#define VIRTIO_BASE 0x10001000UL
#define VIRTIO_MAGIC_VALUE 0x74726976 /* "virt" */
#define VIRTIO_DEVICE_BLOCK 2

#define R(base, off) (*(volatile unsigned int *)((base) + (off)))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

/* Device status bits. */
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

#define VIRTQ_SIZE 8

struct virtq_desc {
    unsigned long addr;
    unsigned int len;
    unsigned short flags, next;
};
struct virtq_avail {
    unsigned short flags, idx, ring[VIRTQ_SIZE], used_event;
};
struct virtq_used {
    unsigned short flags, idx;
    struct {
        unsigned int id, len;
    } ring[VIRTQ_SIZE];
    unsigned short avail_event;
};

/* virtio-blk: the request header; type 0 reads, 1 writes, 8 asks for the device ID. */
struct virtio_blk_req {
    unsigned int type, reserved;
    unsigned long sector;
};

#endif
