# The run recorded here: the recipe (teacher -> labels -> pre-train -> fine-tune -> eval -> ONNX -> card) in one
# process and the Table III S2-only joint baseline in a second, one thread each, on the 2-core CPU machine.
set -e
COMMON="--crop 112 --scale 0.5 --batch-size 8 --threads 1 --lr-encoder 0.005 --lr-decoder 0.005 --log-every 10 --checkpoint-every 50"
OUT=/work/data/run30
/usr/bin/python3 ablation.py --out $OUT --s2 /work/data/s2 --steps 600 $COMMON > $OUT/ablation.log 2>&1 &
/usr/bin/python3 drive.py --s1 /work/data/s1use --s2 /work/data/s2 --test /work/data/test640 --out $OUT \
  --teacher-steps 350 --teacher-width 1.0 --pretrain-steps 450 --finetune-steps 150 \
  --ablations s2_joint --ablation-steps 600 --eval-max-images 40 --eval-scale 0.25 $COMMON \
  > $OUT/summary.json 2> $OUT/train.log
wait
