# Configurations A, B and C of the whole-run benchmarks as `backprop train` flags (bench/RESULTS.md has the table),
# sourced by bench/compare.sh and bench/isa_epochs.sh so that both time the same runs. usage: flags_of A|B|C
flags_of() {
  case $1 in
    A) echo "--layers 784,30,10 --activation sigmoid --output-activation sigmoid --cost quadratic --optimizer sgd --lr 3.0 --batch 10" ;;
    B) echo "--layers 784,256,128,10 --activation relu --output-activation softmax --cost cross-entropy --optimizer momentum --lr 0.01 --momentum 0.9 --batch 64" ;;
    C) echo "--layers 784,1024,1024,10 --activation relu --output-activation softmax --cost cross-entropy --optimizer sgd --lr 0.1 --batch 256" ;;
  esac
}
